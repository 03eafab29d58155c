"""Refuse every non-loopback network connection in this interpreter.

The test command puts this folder on PYTHONPATH, so the notebook kernels that nbval starts
import it at start-up: a notebook that hides a download fails the build instead of passing
because the machine happened to be online.

It covers what Python code can do: TCP and UDP to a non-loopback address (connect, connect_ex,
sendto, sendmsg) and every name lookup (getaddrinfo, gethostbyname, gethostbyname_ex,
gethostbyaddr, getnameinfo). Compiled code that calls the C library directly is out of its
reach; `run-offline` closes that gap with a network namespace where the system allows one.
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


def sendto(self, data, *args):
    _guard(args[-1])  # sendto(data, address) or sendto(data, flags, address)
    return _sendto(self, data, *args)


def sendmsg(self, buffers, *args):
    if len(args) >= 3 and args[2] is not None:  # sendmsg(buffers, ancdata, flags, address)
        _guard(args[2])
    return _sendmsg(self, buffers, *args)


_sendto = socket.socket.sendto
_sendmsg = socket.socket.sendmsg
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.socket.sendmsg = sendmsg

_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _check_name(host):
    # Numeric addresses pass through to connect(), which decides; names other than localhost
    # are refused here so that not even a DNS query leaves the machine.
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in _LOCAL_NAMES:
        try:
            ipaddress.ip_address(name.split("%")[0])
        except ValueError:
            raise ConnectionRefusedError(f"network access is disabled in the course tests: {name!r}")


def getaddrinfo(host, *args, **kwargs):
    _check_name(host)
    return _getaddrinfo(host, *args, **kwargs)


def gethostbyname(host):
    _check_name(host)
    return _gethostbyname(host)


def gethostbyname_ex(host):
    _check_name(host)
    return _gethostbyname_ex(host)


def gethostbyaddr(host):
    # A reverse lookup of anything but loopback is a query to a name server.
    _check_name(host)
    _guard((host, 0))
    return _gethostbyaddr(host)


def getnameinfo(sockaddr, flags):
    _guard(sockaddr)
    return _getnameinfo(sockaddr, flags)


_gethostbyname = socket.gethostbyname
_gethostbyname_ex = socket.gethostbyname_ex
_gethostbyaddr = socket.gethostbyaddr
_getnameinfo = socket.getnameinfo
socket.getaddrinfo = getaddrinfo
socket.gethostbyname = gethostbyname
socket.gethostbyname_ex = gethostbyname_ex
socket.gethostbyaddr = gethostbyaddr
socket.getnameinfo = getnameinfo
