"""The sandbox of the processes that execute queries: no network, bounded memory, and
death with the parent.

A query engine that can reach the network can be turned against its host (SERVICE to an
internal address, port scans). Parsing a query to refuse SERVICE is not enough (two
parsers that disagree on escapes let one through, issue 17), so the processes that run
queries are made unable to open a network connection at all:

* a seccomp filter (libseccomp through ``pyseccomp``) makes ``socket()`` and
  ``socketpair()`` fail with ``EACCES`` for every address family but ``AF_UNIX``, and
  refuses ``io_uring`` (whose operations bypass the socket syscalls) and ``execve``. The
  filter is installed before the store is opened and cannot be removed by the process
  (``no_new_privs``; a seccomp filter is inherited and permanent). A SERVICE call then fails
  inside the engine as a refused connection, whatever the parser thought.
* ``RLIMIT_DATA`` caps the memory one worker may allocate (``WCKG_WORKER_MEMORY_MB``): a
  query that needs more fails (the worker dies and is replaced), the server does not.
* ``PR_SET_PDEATHSIG``: a worker gets SIGKILL when the process that forked it dies, so
  no worker outlives a killed server and escapes its time limit.

Where the kernel or the machine has no seccomp (no libseccomp, a kernel without
``CONFIG_SECCOMP_FILTER``), :func:`require` refuses to serve queries unless the operator
opts out with ``WCKG_ALLOW_UNSANDBOXED_QUERIES=1`` (then the lexical check of
:mod:`graph.safety` is the only guard). Linux only.

``python -m graph.sandbox`` installs the filter in a fresh process and reports whether
an outgoing socket is then refused (what :func:`probe` runs).
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from functools import lru_cache

#: The environment variable that lets queries run without the sandbox.
OPT_OUT = "WCKG_ALLOW_UNSANDBOXED_QUERIES"

_AF_UNIX = 1
_PR_SET_PDEATHSIG = 1


class SandboxUnavailable(RuntimeError):
    """The seccomp filter cannot be installed here (says why)."""


def install_network_filter() -> None:
    """Forbid this process (and its children) every socket but AF_UNIX; permanent."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"seccomp needs Linux (this is {sys.platform})")
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError) as e:  # RuntimeError: libseccomp.so not found
        raise SandboxUnavailable(f"libseccomp is not available ({e}); install the libseccomp2 package") from None
    try:
        f = seccomp.SyscallFilter(seccomp.ALLOW)
        deny = seccomp.ERRNO(errno.EACCES)
        f.add_rule(deny, "socket", seccomp.Arg(0, seccomp.NE, _AF_UNIX))
        f.add_rule(deny, "socketpair", seccomp.Arg(0, seccomp.NE, _AF_UNIX))
        for name in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
            try:
                f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
            except (OSError, ValueError, RuntimeError):  # an old libseccomp without io_uring: nothing to refuse
                pass
        for name in ("execve", "execveat"):
            f.add_rule(seccomp.ERRNO(errno.EPERM), name)
        f.load()
    except OSError as e:
        raise SandboxUnavailable(f"the kernel refused the seccomp filter: {e}") from None


def limit_memory(megabytes: int | None) -> None:
    """Cap the data segment (heap and private mappings) of this process."""
    if not megabytes:
        return
    import resource
    limit = int(megabytes) * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies (Linux ``PR_SET_PDEATHSIG``).

    A worker of a ``forkserver`` pool is the forkserver's child, and the forkserver exits
    when the server dies only once no process holds its "alive" pipe, which every forked
    child inherits: the worker lets go of its copy here, so that a ``kill -9`` of the server
    ends the forkserver and, through the death signal, every worker (even one deep in a
    query that would run for hours)."""
    if not sys.platform.startswith("linux"):
        return
    _release_forkserver_pipe()
    import ctypes
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _release_forkserver_pipe() -> None:
    try:
        from multiprocessing import forkserver
        server = forkserver._forkserver
        fd = getattr(server, "_forkserver_alive_fd", None)
        if fd is not None:
            os.close(fd)
            server._forkserver_alive_fd = None  # type: ignore[attr-defined]  # CPython's private state, read above
    except (ImportError, AttributeError, OSError):
        pass


def unsandboxed_allowed() -> bool:
    return os.environ.get(OPT_OUT, "").strip().lower() in ("1", "true", "yes")


@lru_cache(maxsize=1)
def probe() -> str | None:
    """None when a fresh process can install the filter and is then refused a TCP socket;
    otherwise why not. Runs ``python -m graph.sandbox`` (a clean process: installing a
    filter is permanent, so it is never tried in the calling one)."""
    try:
        r = subprocess.run([sys.executable, "-m", "graph.sandbox"], capture_output=True, text=True, timeout=30,
                           cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"the sandbox self-test could not run: {e}"
    if r.returncode == 0:
        return None
    return (r.stdout.strip() or r.stderr.strip().splitlines()[-1:] or ["unknown failure"])[0] \
        if isinstance(r.stdout, str) else "unknown failure"


def require() -> bool:
    """True when queries run sandboxed; False when they may run without (opted out);
    :class:`SandboxUnavailable` (with the way out) otherwise."""
    problem = probe()
    if problem is None:
        return True
    if unsandboxed_allowed():
        return False
    raise SandboxUnavailable(
        f"query workers cannot be sandboxed: {problem}. wckg refuses to run queries without the "
        f"sandbox (it is what keeps SERVICE from reaching the network); set {OPT_OUT}=1 to run them "
        f"anyway, with only the lexical check of SERVICE, LOAD and updates")


def _self_test() -> int:
    import socket
    try:
        install_network_filter()
    except SandboxUnavailable as e:
        print(str(e))
        return 1
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return 0
    s.close()
    print("the seccomp filter was installed but a TCP socket could still be created")
    return 1


if __name__ == "__main__":
    sys.exit(_self_test())
