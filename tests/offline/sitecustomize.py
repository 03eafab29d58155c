"""Refuse every non-loopback network connection in this interpreter.

The test command puts this folder on PYTHONPATH, so the notebook kernels that nbval starts
import it at start-up: a notebook that hides a download fails the build instead of passing
because the machine happened to be online.
"""
import ipaddress
import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _is_local(address):
    if not isinstance(address, tuple):  # AF_UNIX paths and the like
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:  # a host name: resolve nothing, refuse
        return False


def _guard(address):
    if not _is_local(address):
        raise ConnectionRefusedError(f"network access is disabled in the course tests: {address!r}")


def connect(self, address):
    _guard(address)
    return _connect(self, address)


def connect_ex(self, address):
    _guard(address)
    return _connect_ex(self, address)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex

_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def getaddrinfo(host, *args, **kwargs):
    # Numeric addresses pass through to connect(), which decides; names other than localhost
    # are refused here so that not even a DNS query leaves the machine.
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in _LOCAL_NAMES:
        try:
            ipaddress.ip_address(name.split("%")[0])
        except ValueError:
            raise ConnectionRefusedError(f"network access is disabled in the course tests: {name!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
