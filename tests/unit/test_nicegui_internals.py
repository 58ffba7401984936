"""The NiceGUI internals chat_ui relies on still exist and behave as it expects.

pyproject.toml pins nicegui to the tested minor. Before taking a new one, run this file: each failure
names the internal that moved and the module that uses it.
"""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import engineio
import httpx
import pytest
import socketio
import uvicorn
import uvicorn.config
from nicegui import Client, core, ui_run
from nicegui.app import App
from nicegui.page import page
from nicegui.storage import Storage

from chat_ui.transport import use_websockets_implementation

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def test_client_keeps_its_sockets_in_socket_to_document_id() -> None:
    where = 'chat_ui/components/message_list.py puts every socket of a page in its chat room'
    client = Client(page('/nicegui-internals-probe'))
    try:
        sockets = getattr(client, '_socket_to_document_id', None)
        assert isinstance(sockets, dict), f'Client._socket_to_document_id is gone or no longer a dict: {where}'
    finally:
        client.delete()
    for method in (Client.handle_handshake, Client.handle_disconnect):
        assert '_socket_to_document_id' in method.__code__.co_names, (
            f'Client.{method.__name__} no longer maintains Client._socket_to_document_id: {where}')


def test_ui_run_builds_its_uvicorn_config_from_the_module_global_custom_server_config() -> None:
    where = 'chat_ui/transport.py replaces ui_run.CustomServerConfig to choose the WebSocket implementation'
    base = getattr(ui_run, 'CustomServerConfig', None)
    assert isinstance(base, type) and issubclass(base, uvicorn.Config), (
        f'nicegui.ui_run.CustomServerConfig is gone or no longer a uvicorn.Config: {where}')
    assert 'CustomServerConfig' in ui_run.run.__code__.co_names, (
        f'nicegui.ui_run.run no longer looks up CustomServerConfig as a module global at call time: {where}')
    assert 'ws' in inspect.signature(uvicorn.Config).parameters, f'uvicorn.Config takes no `ws` any more: {where}'
    assert 'websockets-sansio' in uvicorn.config.WS_PROTOCOLS, (
        f"uvicorn no longer offers the 'websockets-sansio' WebSocket implementation: {where}")


def test_the_replaced_config_starts_uvicorn_with_the_chosen_websocket_implementation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_run, 'CustomServerConfig', ui_run.CustomServerConfig)  # restored after the test
    use_websockets_implementation('websockets-sansio')
    config = ui_run.CustomServerConfig(core.app, ws='wsproto')  # what ui_run.run passes
    assert config.ws == 'websockets-sansio'


async def _answer_204(scope: Scope, receive: Any, send: Any) -> None:
    await send({'type': 'http.response.start', 'status': 204, 'headers': []})
    await send({'type': 'http.response.body', 'body': b''})


async def test_the_app_builds_its_middleware_stack_through_the_instance_attribute() -> None:
    where = 'chat_ui/security.py wraps app.build_middleware_stack to keep its middleware outermost'
    assert isinstance(core.app, App)
    assert not inspect.signature(App.build_middleware_stack).parameters.keys() - {'self'}, (
        f'App.build_middleware_stack now takes arguments: {where}')
    probe = App()
    calls: list[str] = []

    def build() -> ASGIApp:
        calls.append('built')
        return _answer_204

    probe.build_middleware_stack = build  # type: ignore[method-assign]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=probe), base_url='http://test') as http:
        first = await http.get('/')
        second = await http.get('/')
    assert (first.status_code, second.status_code) == (204, 204), (
        f'the app does not serve through a replaced build_middleware_stack: {where}')
    assert calls == ['built'], f'build_middleware_stack is not called once, at the first request: {where}'


async def test_engineio_asks_a_callable_cors_allowed_origins_with_the_origin_and_environ() -> None:
    where = 'chat_ui/security.py sets core.sio.eio.cors_allowed_origins to refuse foreign origins'
    assert isinstance(core.sio, socketio.AsyncServer), 'nicegui.core.sio is no longer a socketio.AsyncServer'
    for name in ('enter_room', 'leave_room', 'emit'):
        assert inspect.iscoroutinefunction(getattr(core.sio, name, None)), (
            f'nicegui.core.sio.{name} is not a coroutine function (chat_ui/bridge.py, message_list.py)')
    eio = getattr(core.sio, 'eio', None)
    assert isinstance(eio, engineio.AsyncServer), f'nicegui.core.sio.eio is no longer an engineio.AsyncServer: {where}'
    assert hasattr(eio, 'cors_allowed_origins'), f'core.sio.eio.cors_allowed_origins is gone: {where}'

    asked: list[tuple[str | None, str | None]] = []

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        asked.append((origin, environ.get('HTTP_HOST')))
        return origin == 'http://chat.test'

    server = type(eio)(async_mode='asgi', cors_allowed_origins=allowed)
    transport = httpx.ASGITransport(app=engineio.ASGIApp(server))
    async with httpx.AsyncClient(transport=transport, base_url='http://chat.test') as http:
        foreign = await http.get('/engine.io/?EIO=4&transport=polling', headers={'Origin': 'https://evil.test'})
        own = await http.get('/engine.io/?EIO=4&transport=polling', headers={'Origin': 'http://chat.test'})
    assert ('https://evil.test', 'chat.test') in asked, (
        f'Engine.IO no longer calls cors_allowed_origins(origin, environ): {where}')
    assert foreign.status_code == 400, f'Engine.IO no longer refuses an origin the callable rejects: {where}'
    assert own.status_code == 200 and own.headers.get('access-control-allow-origin') == 'http://chat.test', (
        f'Engine.IO no longer accepts an origin the callable allows: {where}')


def test_storage_files_live_under_the_class_attribute_storage_path() -> None:
    where = "main.py sets Storage.path to keep NiceGUI's storage files in the data directory"
    assert isinstance(Storage.__dict__.get('path'), Path), f'nicegui.storage.Storage.path is no longer a Path: {where}'
    assert 'Storage.path' in inspect.getsource(Storage), (
        f'nicegui.storage.Storage no longer builds its file paths from Storage.path: {where}')


def test_the_socketio_manager_answers_which_sockets_and_rooms_exist() -> None:
    # chat_ui/components/message_list.py keeps only sockets the server knows (eio_sid_from_sid), and
    # chat_ui/bridge.py lists the open chat rooms from manager.rooms after a bus reconnect
    manager = getattr(core.sio, 'manager', None)
    assert manager is not None, 'nicegui.core.sio.manager is gone (chat_ui/bridge.py, message_list.py)'
    assert callable(getattr(manager, 'eio_sid_from_sid', None)), (
        'python-socketio manager.eio_sid_from_sid(sid, namespace) is gone (chat_ui/components/message_list.py)')
    assert manager.eio_sid_from_sid('no-such-socket', '/') is None, 'an unknown sid no longer answers None'
    assert isinstance(getattr(manager, 'rooms', None), dict), (
        'python-socketio manager.rooms is no longer a dict of namespace -> rooms (chat_ui/bridge.py)')


def test_the_socketio_app_is_mounted_at_nicegui_ws_and_strips_the_root_path() -> None:
    # chat_ui/edge.py hands NiceGUI's WebSocket to `nicegui.nicegui.sio_app` itself, with the scope that
    # Starlette's Mount('/_nicegui_ws') would pass (root_path set, path unchanged)
    from nicegui import nicegui as module
    from starlette.routing import Mount

    from chat_ui.edge import SOCKET_MOUNT
    sio_app = getattr(module, 'sio_app', None)
    assert sio_app is not None, 'nicegui.nicegui.sio_app is gone (chat_ui/edge.py, chat_ui/security.py)'
    mounts = [r for r in core.app.routes if isinstance(r, Mount) and r.app is sio_app]
    assert [m.path + '/' for m in mounts] == [SOCKET_MOUNT], 'NiceGUI mounts its Socket.IO app elsewhere now'
    assert 'root_path' in inspect.getsource(type(sio_app).__call__), (
        "NiceGUI's SocketIoApp no longer strips the root path from the path (chat_ui/edge.py)")
