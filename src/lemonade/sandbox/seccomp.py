"""A small seccomp filter for the sandbox, as a classic-BPF program that bubblewrap loads.

`bwrap --seccomp FD` reads an array of `struct sock_filter` (8 bytes each) from FD and installs it
just before it runs the command, with no_new_privs set. The program here:

- checks the architecture first (a syscall made through another ABI, such as 32-bit `int 0x80`
  on x86-64, kills the process; x32 numbers are refused);
- returns EPERM for the syscalls a model never needs and an escape would: tracing and reading
  other processes, mounts and namespaces, kernel modules, kexec, BPF, perf, keyrings,
  userfaultfd, io_uring (its operations bypass seccomp), file handles, clocks, swap, reboot;
- lets `socket` create only AF_UNIX sockets (the network namespace is empty anyway);
- refuses `clone` with any namespace flag, and answers `clone3` with ENOSYS (its flags sit in
  memory a filter cannot read; glibc then falls back to `clone`, which is checked);
- allows everything else.

Only x86-64 and AArch64 are covered; elsewhere `program()` returns None and the sandbox runs
without the filter (recorded in the candidate's isolation info).
"""

from __future__ import annotations

import platform
import struct

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR, _ARCH, _ARG0 = 0, 4, 16  # args[0]: its low 32 bits on a little-endian machine

# classic BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
EPERM = 1
ENOSYS = 38
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 \
    | 0x20000000 | 0x40000000

DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "open_by_handle_at", "name_to_handle_at", "fanotify_init", "lookup_dcookie",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "vhangup",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "iopl", "ioperm", "uselib", "_sysctl",
)

# Syscall numbers (asm/unistd_64.h for x86-64, asm-generic/unistd.h for AArch64).
_X86_64 = {
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "pidfd_getfd": 438, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "unshare": 272, "setns": 308, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "kexec_load": 246,
    "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
    "bpf": 321, "perf_event_open": 298, "keyctl": 250, "add_key": 248, "request_key": 249,
    "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "fanotify_init": 300,
    "lookup_dcookie": 212, "reboot": 169, "swapon": 167, "swapoff": 168, "acct": 163,
    "quotactl": 179, "quotactl_fd": 443, "syslog": 103, "vhangup": 153, "settimeofday": 164,
    "clock_settime": 227, "clock_adjtime": 305, "adjtimex": 159, "iopl": 172, "ioperm": 173,
    "uselib": 134, "_sysctl": 156,
    "socket": 41, "clone": 56, "clone3": 435, "memfd_create": 319,
}
_AARCH64 = {
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
    "pidfd_getfd": 438, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "unshare": 97, "setns": 268, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "kexec_load": 104,
    "kexec_file_load": 294, "init_module": 105, "finit_module": 273, "delete_module": 106,
    "bpf": 280, "perf_event_open": 241, "keyctl": 219, "add_key": 217, "request_key": 218,
    "userfaultfd": 282, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "open_by_handle_at": 265, "name_to_handle_at": 264, "fanotify_init": 262,
    "lookup_dcookie": 18, "reboot": 142, "swapon": 224, "swapoff": 225, "acct": 89,
    "quotactl": 60, "quotactl_fd": 443, "syslog": 116, "vhangup": 58, "settimeofday": 170,
    "clock_settime": 112, "clock_adjtime": 266, "adjtimex": 171,
    "socket": 198, "clone": 220, "clone3": 435, "memfd_create": 279,
}
# machine -> (AUDIT_ARCH_*, syscall table, x32 numbers share the arch value)
ARCHES: dict[str, tuple[int, dict[str, int], bool]] = {
    "x86_64": (0xC000003E, _X86_64, True),
    "amd64": (0xC000003E, _X86_64, True),
    "aarch64": (0xC00000B7, _AARCH64, False),
    "arm64": (0xC00000B7, _AARCH64, False),
}


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes | None:
    """The filter for `machine` (default: this one), or None where no table exists."""
    spec = ARCHES.get((machine or platform.machine()).lower())
    if spec is None:
        return None
    arch, table, x32 = spec
    eperm = RET_ERRNO | EPERM
    out = [
        _insn(_LD_W_ABS, _ARCH),
        _insn(_JEQ_K, arch, jt=1),
        _insn(_RET_K, RET_KILL_PROCESS),
        _insn(_LD_W_ABS, _NR),
    ]
    if x32:
        out += [_insn(_JGE_K, X32_SYSCALL_BIT, jf=1), _insn(_RET_K, eperm)]
    for name in DENIED:
        if name in table:  # e.g. iopl does not exist on AArch64
            out += [_insn(_JEQ_K, table[name], jf=1), _insn(_RET_K, eperm)]
    out += [_insn(_JEQ_K, table["clone3"], jf=1), _insn(_RET_K, RET_ERRNO | ENOSYS)]
    # memfd_create: memory no tmpfs size bounds; ENOSYS, the answer of a kernel without it, so
    # what uses it (asmjit in torch's fbgemm) falls back to a file in the size-limited /dev/shm
    out += [_insn(_JEQ_K, table["memfd_create"], jf=1), _insn(_RET_K, RET_ERRNO | ENOSYS)]
    # socket(domain, ...): AF_UNIX only. The blocks end in a return: A no longer holds nr.
    out += [
        _insn(_JEQ_K, table["socket"], jf=4),
        _insn(_LD_W_ABS, _ARG0),
        _insn(_JEQ_K, AF_UNIX, jf=1),
        _insn(_RET_K, RET_ALLOW),
        _insn(_RET_K, eperm),
    ]
    # clone(flags, ...): no new namespaces
    out += [
        _insn(_JEQ_K, table["clone"], jf=4),
        _insn(_LD_W_ABS, _ARG0),
        _insn(_JSET_K, CLONE_NAMESPACE_FLAGS, jf=1),
        _insn(_RET_K, eperm),
        _insn(_RET_K, RET_ALLOW),
    ]
    out.append(_insn(_RET_K, RET_ALLOW))
    return b"".join(out)


def denied_syscalls(machine: str | None = None) -> list[str]:
    """The names the filter refuses on `machine` (what the isolation info records)."""
    spec = ARCHES.get((machine or platform.machine()).lower())
    if spec is None:
        return []
    return [n for n in DENIED if n in spec[1]]
