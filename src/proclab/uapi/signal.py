"""Signal numbers, default actions and sigaction flags (include/uapi/asm/signal.h,
signal(7)). Sets of signals are Python ints used as 64-bit masks: bit (sig - 1)."""

SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE = 1, 2, 3, 4, 5, 6, 7, 8
SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT = 9, 10, 11, 12, 13, 14, 15, 16
SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU = 17, 18, 19, 20, 21, 22, 23, 24
SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS = 25, 26, 27, 28, 29, 30, 31
SIGRTMIN = 32
SIGRTMAX = 64
NSIG = 64

NAMES = {
    v: k
    for k, v in list(globals().items())
    if k.startswith("SIG") and k not in ("SIGRTMIN", "SIGRTMAX") and isinstance(v, int)
}

# strsignal(3) texts, as a shell prints them for a killed job.
DESCRIPTIONS = {
    SIGHUP: "Hangup", SIGINT: "Interrupt", SIGQUIT: "Quit", SIGILL: "Illegal instruction",
    SIGTRAP: "Trace/breakpoint trap", SIGABRT: "Aborted", SIGBUS: "Bus error",
    SIGFPE: "Floating point exception", SIGKILL: "Killed", SIGUSR1: "User defined signal 1",
    SIGSEGV: "Segmentation fault", SIGUSR2: "User defined signal 2", SIGPIPE: "Broken pipe",
    SIGALRM: "Alarm clock", SIGTERM: "Terminated", SIGSTKFLT: "Stack fault",
    SIGCHLD: "Child exited", SIGCONT: "Continued", SIGSTOP: "Stopped (signal)",
    SIGTSTP: "Stopped", SIGTTIN: "Stopped (tty input)", SIGTTOU: "Stopped (tty output)",
    SIGURG: "Urgent I/O condition", SIGXCPU: "CPU time limit exceeded",
    SIGXFSZ: "File size limit exceeded", SIGVTALRM: "Virtual timer expired",
    SIGPROF: "Profiling timer expired", SIGWINCH: "Window changed", SIGIO: "I/O possible",
    SIGPWR: "Power failure", SIGSYS: "Bad system call",
}


def sigmask(sig: int) -> int:
    """The mask bit of `sig` (sigmask() in the kernel)."""
    return 1 << (sig - 1)


def signame(sig: int) -> str:
    if sig in NAMES:
        return NAMES[sig]
    if SIGRTMIN <= sig <= SIGRTMAX:
        return f"SIGRT{sig - SIGRTMIN}"
    return f"SIG{sig}"


def _mask(*sigs: int) -> int:
    m = 0
    for s in sigs:
        m |= sigmask(s)
    return m


# Default actions (SEMANTICS G2).
SIG_KERNEL_ONLY_MASK = _mask(SIGKILL, SIGSTOP)
SIG_KERNEL_STOP_MASK = _mask(SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU)
SIG_KERNEL_COREDUMP_MASK = _mask(
    SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGSEGV, SIGBUS, SIGSYS, SIGXCPU, SIGXFSZ
)
SIG_KERNEL_IGNORE_MASK = _mask(SIGCONT, SIGCHLD, SIGWINCH, SIGURG)
# Faults the CPU raises synchronously (delivered first, SEMANTICS G4).
SYNCHRONOUS_MASK = _mask(SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS)
ALL_SIGNALS = (1 << NSIG) - 1

# sa_handler special values
SIG_DFL = 0
SIG_IGN = 1

# sigaction flags
SA_NOCLDSTOP = 0x00000001
SA_NOCLDWAIT = 0x00000002
SA_SIGINFO = 0x00000004
SA_RESTORER = 0x04000000
SA_ONSTACK = 0x08000000
SA_RESTART = 0x10000000
SA_NODEFER = 0x40000000
SA_RESETHAND = 0x80000000

# rt_sigprocmask how
SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2

# si_code values
SI_USER = 0
SI_KERNEL = 0x80
SI_QUEUE = -1
SI_TIMER = -2
SI_MESGQ = -3
SI_TKILL = -6
# struct sigevent's sigev_notify (timer_create)
SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID = 0, 1, 2, 4
CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED = 1, 2, 3, 4, 5, 6
SEGV_MAPERR, SEGV_ACCERR = 1, 2
BUS_ADRERR = 2

# sigaltstack
SS_ONSTACK = 1
SS_DISABLE = 2
SS_AUTODISARM = 1 << 31
MINSIGSTKSZ = 2048
FPE_INTDIV = 1
ILL_ILLOPN = 2
TRAP_BRKPT = 1
