/* E1, I2, issue 5 (dynamic executables): execve of an ELF with PT_INTERP loads
   the interpreter, so the host's glibc programs run: /bin/sh exits with the
   status its script asks, /usr/bin/env prints exactly the environment
   execve passed, a #! script runs through the (dynamic) /bin/sh with its
   arguments. Failures return to the caller: an ELF for another machine
   (aarch64) is ENOEXEC, as are a text file without #! and an empty file;
   an ELF whose PT_INTERP names a missing file is ENOENT, as is a #! line
   naming a missing interpreter; a file without any x bit is EACCES even
   for root, a directory EACCES, a missing path ENOENT. */
#include <elf.h>
#include <stddef.h>
#include "files_util.h"

static char *env[] = {"PATH=/usr/bin:/bin", "GREETING=hello", 0};

/* a minimal x86-64 (or other machine) ELF executable, optionally with a
   PT_INTERP naming `interp` */
static void make_elf(const char *name, int machine, const char *interp)
{
    struct image {
        Elf64_Ehdr eh;
        Elf64_Phdr ph[2];
        char interp[64];
    } img;
    memset(&img, 0, sizeof img);
    memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
    img.eh.e_ident[EI_CLASS] = ELFCLASS64;
    img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    img.eh.e_ident[EI_VERSION] = EV_CURRENT;
    img.eh.e_type = ET_EXEC;
    img.eh.e_machine = machine;
    img.eh.e_version = EV_CURRENT;
    img.eh.e_entry = 0x400000 + sizeof img;
    img.eh.e_phoff = sizeof img.eh;
    img.eh.e_ehsize = sizeof img.eh;
    img.eh.e_phentsize = sizeof img.ph[0];
    int n = 0;
    if (interp) {
        snprintf(img.interp, sizeof img.interp, "%s", interp);
        img.ph[n++] = (Elf64_Phdr){.p_type = PT_INTERP, .p_flags = PF_R, .p_offset = offsetof(struct image, interp),
                                   .p_filesz = strlen(interp) + 1, .p_memsz = strlen(interp) + 1, .p_align = 1};
    }
    img.ph[n++] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = 0x400000, .p_paddr = 0x400000,
                               .p_filesz = sizeof img, .p_memsz = sizeof img, .p_align = 4096};
    img.eh.e_phnum = n;
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    write(fd, &img, sizeof img);
    close(fd);
}

static void try_exec(const char *label, const char *path)
{
    char *argv[] = {(char *)path, 0};
    errno = 0;
    execve(path, argv, env);
    printf("%s: %s\n", label, ename(errno));
}

static void run(const char *label, char **argv)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv, env);
        _exit(127);
    }
    printf("%s: %s\n", label, reap(pid));
}

int main(void)
{
    enter_tmpdir();
    char *sh[] = {"/bin/sh", "-c", "echo from sh: $GREETING; exit 7", 0};
    run("/bin/sh -c '...; exit 7'", sh);
    char *envp[] = {"/usr/bin/env", 0};
    run("/usr/bin/env", envp);
    put_file("script", "#!/bin/sh\necho script got $# arguments: $1 $2\nexit 3\n");
    chmod("script", 0755);
    char *script[] = {"./script", "one", "two", 0};
    run("./script one two", script);

    make_elf("arm64", EM_AARCH64, 0);
    try_exec("an aarch64 ELF", "./arm64");
    make_elf("no-interp", EM_X86_64, "/nonexistent/ld-linux.so.2");
    try_exec("PT_INTERP naming a missing file", "./no-interp");
    put_file("text", "echo no shebang\n");
    chmod("text", 0755);
    try_exec("a text file without #!", "./text");
    put_file("empty", "");
    chmod("empty", 0755);
    try_exec("an empty file", "./empty");
    put_file("badbang", "#!/nonexistent/interpreter\n");
    chmod("badbang", 0755);
    try_exec("#! naming a missing interpreter", "./badbang");
    put_file("noexec", "#!/bin/sh\n");
    chmod("noexec", 0644);
    try_exec("mode 0644", "./noexec");
    mkdir("dir", 0755);
    try_exec("a directory", "./dir");
    try_exec("a missing path", "./missing");
    leave_tmpdir();
    return 0;
}
