/* proclab's native CPU helpers (see native.py): instruction counting per
   translation block, registered as Unicorn hooks on the raw engine.

   Unicorn's own count= puts a call before every instruction (it also syncs
   PC and EFLAGS there), which makes user code 10-15x slower. Here a block
   hook, called once per executed translation block and inlined by Unicorn
   as a direct call, adds the block's instruction count to `counter`. When
   the budget ends inside the coming block, it stops before the block; the
   Python side then runs just that block with `pl_step` hooked on it
   (instruction by instruction, as count= does) so that the budget ends at
   exactly the same instruction. Between two blocks `counter` equals what
   count= would have counted; inside a block the Python side adds the
   position of the current instruction (known from RIP, which Unicorn makes
   precise before any TLB fill).

   Built with `zig cc -shared` from the ziglang wheel; no Unicorn headers are
   needed: the engine is an opaque pointer and the few entry points are
   handed over as function pointers. */

#include <stdbool.h>
#include <stdint.h>

typedef void uc_engine;
typedef int (*uc_emu_stop_fn)(uc_engine *uc);
typedef int (*uc_ctl_fn)(uc_engine *uc, int control, ...);

typedef struct {
    uint64_t pc;
    uint16_t icount;
    uint16_t size;
} uc_tb;

#define CACHE_BITS 15
#define CACHE_SIZE (1u << CACHE_BITS)

struct tb_entry {
    uint64_t pc;
    uint32_t gen;     /* valid while it equals pl_state.gen */
    uint16_t size;
    uint16_t icount;
};

struct pl_state {
    uint64_t counter;     /* instructions counted in this run */
    uint64_t budget;      /* the run's instruction budget (0: none) */
    uint64_t block_pc;    /* the block now running */
    uint64_t block_base;  /* `counter` before it */
    uint32_t block_size;  /* its bytes */
    uint32_t block_n;     /* its instructions */
    uint32_t stopping;    /* a stop was requested: no later block runs */
    uint32_t tail;        /* 1: the budget's last block runs under pl_step */
    uint64_t tail_pc;     /* the budget ends inside the block at tail_pc (0: it did not) */
    uint64_t tail_end;    /* tail_pc + its size */
    uint64_t misses;      /* blocks whose count came from the engine */
    uint32_t gen;         /* the cache's generation: pl_flush starts a new one */
    uint32_t pad;
    uc_emu_stop_fn emu_stop;
    uc_ctl_fn ctl;
    int64_t ctl_request_cache;  /* uc_ctl command word of UC_CTL_TB_REQUEST_CACHE */
    struct tb_entry cache[CACHE_SIZE];
};

static inline uint32_t slot(uint64_t pc, uint32_t size) {
    uint64_t h = (pc ^ (pc >> 17) ^ ((uint64_t)size << 7)) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> (64 - CACHE_BITS));
}

/* Forget every block count (the code at an address may have changed: a TLB
   flush, another address space, a frame reused). */
void pl_flush(struct pl_state *s) {
    s->gen++;
    if (s->gen == 0) {  /* wrapped: really empty it */
        for (uint32_t i = 0; i < CACHE_SIZE; i++)
            s->cache[i].gen = 0;
        s->gen = 1;
    }
}

static uint32_t block_icount(struct pl_state *s, uc_engine *uc, uint64_t pc, uint32_t size) {
    struct tb_entry *e = &s->cache[slot(pc, size)];
    if (e->pc == pc && e->size == size && e->gen == s->gen)
        return e->icount;
    /* The engine's own translation block at pc (the one about to run). */
    uc_tb tb = {0, 0, 0};
    s->misses++;
    if (s->ctl(uc, (int)s->ctl_request_cache, pc, &tb) != 0 || tb.size != size)
        return 0xFFFFFFFFu;
    e->pc = pc;
    e->gen = s->gen;
    e->size = (uint16_t)size;
    e->icount = tb.icount;
    return tb.icount;
}

void pl_stop(uc_engine *uc, struct pl_state *s) {
    s->stopping = 1;
    s->emu_stop(uc);
}

/* UC_HOOK_BLOCK */
void pl_block(uc_engine *uc, uint64_t pc, uint32_t size, void *data) {
    struct pl_state *s = data;
    if (s->stopping)
        return;  /* Unicorn calls the hook before the block's exit check */
    if (s->tail && pc >= s->tail_pc && pc < s->tail_end)
        return;  /* counted by pl_step */
    uint32_t n = block_icount(s, uc, pc, size);
    s->block_pc = pc;
    s->block_base = s->counter;
    s->block_size = size;
    s->block_n = n;
    if (n == 0xFFFFFFFFu) {  /* cannot happen with unicorn 2.1.4; be safe */
        s->tail_pc = pc;
        s->tail_end = pc + size;
        pl_stop(uc, s);
        return;
    }
    if (s->budget && s->counter + n > s->budget) {
        if (s->counter < s->budget) {
            s->tail_pc = pc;
            s->tail_end = pc + size;
        }
        pl_stop(uc, s);
        return;
    }
    s->counter += n;
}

/* UC_HOOK_CODE over the tail block only: what count= does per instruction
   (Unicorn's hook_count_cb: count, stop once past the budget). */
void pl_step(uc_engine *uc, uint64_t pc, uint32_t size, void *data) {
    struct pl_state *s = data;
    (void)pc;
    (void)size;
    if (!s->tail)
        return;
    s->counter++;
    if (s->counter > s->budget)
        pl_stop(uc, s);
}

uint64_t pl_state_size(void) { return sizeof(struct pl_state); }

#ifdef PL_PYTHON
/* The syscall hook (UC_HOOK_INSN, UC_X86_INS_SYSCALL), in place of
   Cpu._hook_syscall: the number and the six argument registers in one batch,
   one call into the kernel's syscall entry (which returns the value for RAX
   or None), RAX written back; no ctypes conversions and no Python frame of
   its own. What the Python hook did around the call is done here on the Cpu
   object's attributes: nothing while `_io_snapshot` is set (the frozen rest
   of a block after in/out), `_in_syscall` set during the call, an exception
   handed to `_stop_on_error`, RAX written only while `live` is not None. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef int (*uc_reg_read_batch_fn)(uc_engine *uc, int *regs, void **vals, int count);
typedef int (*uc_reg_write_fn)(uc_engine *uc, int regid, const void *value);

struct pl_sys {
    PyObject *entry;  /* the kernel's syscall entry; both kept alive by the Cpu */
    PyObject *cpu;    /* the Cpu (a borrowed reference: the Cpu owns this struct) */
    uc_reg_read_batch_fn read_batch;
    uc_reg_write_fn reg_write;
    int32_t ids[7];   /* RAX, RDI, RSI, RDX, R10, R8, R9 */
    int32_t rax;
    uint64_t calls;
};

/* the Cpu attributes the hooks read (the TLB fill's last three) */
static PyObject *s_io_snapshot, *s_in_syscall, *s_live, *s_stop_on_error, *s_pgtable, *s_watch, *s_code_frames;

static int intern_names(void) {
    if (s_code_frames)
        return 0;
    s_io_snapshot = PyUnicode_InternFromString("_io_snapshot");
    s_in_syscall = PyUnicode_InternFromString("_in_syscall");
    s_live = PyUnicode_InternFromString("live");
    s_stop_on_error = PyUnicode_InternFromString("_stop_on_error");
    s_pgtable = PyUnicode_InternFromString("pgtable");
    s_watch = PyUnicode_InternFromString("watch");
    s_code_frames = PyUnicode_InternFromString("code_frames");
    return s_code_frames ? 0 : -1;
}

/* getattr(cpu, name) is None; -1 on error */
static int attr_is_none(PyObject *cpu, PyObject *name) {
    PyObject *v = PyObject_GetAttr(cpu, name);
    if (v == NULL)
        return -1;
    int none = v == Py_None;
    Py_DECREF(v);
    return none;
}

static void syscall_body(uc_engine *uc, struct pl_sys *s) {
    if (intern_names() < 0 || attr_is_none(s->cpu, s_io_snapshot) != 1)
        return;
    uint64_t v[7];
    void *p[7];
    for (int i = 0; i < 7; i++)
        p[i] = &v[i];
    s->read_batch(uc, s->ids, p, 7);
    s->calls++;
    PyObject *args[7];
    for (int i = 0; i < 7; i++)
        args[i] = PyLong_FromUnsignedLongLong(v[i]);
    if (PyObject_SetAttr(s->cpu, s_in_syscall, Py_True) < 0)
        return;
    PyObject *r = PyObject_Vectorcall(s->entry, args, 7, NULL);
    for (int i = 0; i < 7; i++)
        Py_XDECREF(args[i]);
    if (r == NULL) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (tb != NULL && value != NULL)
            PyException_SetTraceback(value, tb);
        PyObject_SetAttr(s->cpu, s_in_syscall, Py_False);
        PyObject *done = PyObject_CallMethodOneArg(s->cpu, s_stop_on_error, value ? value : Py_None);
        Py_XDECREF(done);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        return;
    }
    if (PyObject_SetAttr(s->cpu, s_in_syscall, Py_False) < 0) {
        Py_DECREF(r);
        return;
    }
    if (r != Py_None && attr_is_none(s->cpu, s_live) == 0) {
        uint64_t rax = PyLong_AsUnsignedLongLongMask(r);
        s->reg_write(uc, s->rax, &rax);
    }
    Py_DECREF(r);
}

void pl_syscall(uc_engine *uc, void *data) {
    PyGILState_STATE g = PyGILState_Ensure();
    syscall_body(uc, data);
    if (PyErr_Occurred())  /* a failure of this glue itself: say so, go on */
        PyErr_WriteUnraisable(((struct pl_sys *)data)->entry);
    PyGILState_Release(g);
}

/* The TLB fill hook (UC_HOOK_TLB_FILL), in front of Cpu._tlb_fill: the
   common fill, a present PTE of the live page table with the rights the
   access needs, is answered here (a dict lookup, the frame added to
   `code_frames` when executable); everything else (a page fault for the
   kernel, a frozen block after in/out, explore's watched pages) goes to the
   Python method, which is the reference. The fork+exit+wait cycle makes ~13
   fills, each a ctypes callback before. */
typedef struct {
    uint64_t paddr;
    uint32_t perms;
} uc_tlb_entry;

struct pl_fill {
    PyObject *slow;   /* the Cpu's _tlb_fill; both kept alive by the Cpu */
    PyObject *cpu;    /* the Cpu (a borrowed reference: the Cpu owns this struct) */
    uint64_t fast;    /* fills answered here */
    uint64_t slowed;  /* fills handed to `slow` */
};

/* 1: filled; 0: the Python method decides; -1: an error of this glue */
static int fill_fast(PyObject *cpu, uint64_t vaddr, int access, uc_tlb_entry *e) {
    uint64_t need = access == 16 ? 1 : access == 17 ? 2 : access == 18 ? 4 : 0;
    if (need == 0 || intern_names() < 0)
        return 0;
    int r = attr_is_none(cpu, s_io_snapshot);
    if (r != 1)
        return r;
    r = attr_is_none(cpu, s_watch);
    if (r != 1)
        return r;
    PyObject *table = PyObject_GetAttr(cpu, s_pgtable);
    if (table == NULL)
        return -1;
    if (!PyDict_CheckExact(table)) {
        Py_DECREF(table);
        return 0;
    }
    PyObject *key = PyLong_FromUnsignedLongLong(vaddr >> 12);
    if (key == NULL) {
        Py_DECREF(table);
        return -1;
    }
    PyObject *found = PyDict_GetItemWithError(table, key);  /* borrowed */
    Py_DECREF(key);
    if (found == NULL) {
        Py_DECREF(table);
        return PyErr_Occurred() ? -1 : 0;
    }
    uint64_t pte = PyLong_AsUnsignedLongLongMask(found);
    Py_DECREF(table);
    if (PyErr_Occurred())
        return -1;
    if (!(pte & need))
        return 0;
    uint32_t perms = (uint32_t)(pte & 7);
    if (perms & 4) {
        PyObject *frames = PyObject_GetAttr(cpu, s_code_frames);
        if (frames == NULL)
            return -1;
        PyObject *pfn = PyLong_FromUnsignedLongLong(pte >> 12);
        int added = pfn == NULL ? -1 : PySet_Add(frames, pfn);
        Py_XDECREF(pfn);
        Py_DECREF(frames);
        if (added < 0)
            return -1;
    }
    e->paddr = (pte >> 12) << 12;
    e->perms = perms;
    return 1;
}

bool pl_tlb_fill(uc_engine *uc, uint64_t vaddr, int access, uc_tlb_entry *e, void *data) {
    struct pl_fill *f = data;
    PyGILState_STATE g = PyGILState_Ensure();
    int r = fill_fast(f->cpu, vaddr, access, e);
    if (r < 0) {  /* a failure of this glue itself: say so, let Python decide */
        PyErr_WriteUnraisable(f->slow);
        r = 0;
    }
    bool ok = true;
    if (r == 1) {
        f->fast++;
    } else {
        f->slowed++;
        PyObject *res = PyObject_CallFunction(f->slow, "KKiKO", (unsigned long long)(uintptr_t)uc,
                                              (unsigned long long)vaddr, access,
                                              (unsigned long long)(uintptr_t)e, Py_None);
        ok = res != NULL && PyObject_IsTrue(res) == 1;
        if (res == NULL)
            PyErr_WriteUnraisable(f->slow);
        Py_XDECREF(res);
    }
    PyGILState_Release(g);
    return ok;
}

int pl_has_python(void) { return 1; }
#else
int pl_has_python(void) { return 0; }
#endif
