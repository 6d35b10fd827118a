/* I2, issue 5 (access, faccessat), as root: F_OK says whether a name exists;
   root may read and write any file whatever its mode, may search any
   directory, but may execute a regular file only if one of its x bits is
   set. A symlink is followed (a dangling one is ENOENT). A missing name is
   ENOENT, a file used as a directory ENOTDIR, a mode with unknown bits
   EINVAL; faccessat resolves from its dirfd (EBADF for a closed one). The
   syscalls are made directly (musl's faccessat may answer some cases
   itself). */
#include <sys/syscall.h>
#include "files_util.h"

#define access(path, mode) syscall(SYS_access, path, mode)
#define faccessat(dfd, path, mode) syscall(SYS_faccessat, dfd, path, mode)

int main(void)
{
    enter_tmpdir();
    put_file("none", "x");
    chmod("none", 0);
    put_file("rw", "x");
    chmod("rw", 0644);
    put_file("owner-x", "x");
    chmod("owner-x", 0700);
    put_file("other-x", "x");
    chmod("other-x", 0601);
    mkdir("d", 0);
    symlink("rw", "link");
    symlink("gone", "dangling");

    SHOW("F_OK rw", access("rw", F_OK));
    SHOW("F_OK missing", access("missing", F_OK));
    SHOW("R_OK|W_OK on mode 0000", access("none", R_OK | W_OK));
    SHOW("X_OK on mode 0000", access("none", X_OK));
    SHOW("X_OK on mode 0644", access("rw", X_OK));
    SHOW("X_OK on mode 0700", access("owner-x", X_OK));
    SHOW("X_OK on mode 0601", access("other-x", X_OK));
    SHOW("R_OK|W_OK|X_OK on a directory of mode 0", access("d", R_OK | W_OK | X_OK));
    SHOW("a file in it", access("d/../rw", F_OK));
    SHOW("through a symlink", access("link", R_OK));
    SHOW("a dangling symlink", access("dangling", F_OK));
    SHOW("under a file", access("rw/x", F_OK));
    SHOW("mode 8", access("rw", 8));

    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    SHOW("faccessat(dirfd of d, \"../rw\", R_OK)", faccessat(dfd, "../rw", R_OK));
    SHOW("faccessat(dirfd of d, \"rw\")", faccessat(dfd, "rw", F_OK));
    SHOW("faccessat(AT_FDCWD, \"rw\", W_OK)", faccessat(AT_FDCWD, "rw", W_OK));
    SHOW("faccessat with a closed dirfd", faccessat(99, "rw", F_OK));
    SHOW("faccessat with a closed dirfd, absolute path", faccessat(99, "/", F_OK));
    leave_tmpdir();
    return 0;
}
