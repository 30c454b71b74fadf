"""The test run itself: outside connections are blocked, so nothing downloads behind our back."""

import socket

import pytest
from pytest_socket import SocketBlockedError, SocketConnectBlockedError


def test_outside_network_is_blocked():
    # With --allow-hosts, pytest-socket refuses the connect (SocketConnectBlockedError), not the socket.
    with pytest.raises((SocketBlockedError, SocketConnectBlockedError)):
        socket.create_connection(("93.184.215.14", 80), timeout=1)
