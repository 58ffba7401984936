"""Browser notifications in the desktop window, as in a browser tab.

pywebview's Qt window refuses every page permission but the camera and microphone, and Qt WebEngine shows a web
page's notifications only through a presenter the application installs, so `new Notification(...)` in
room_list.js would do nothing in the window. In the window's process (spawned by NiceGUI; main.py calls
`enable()` there) this grants the Notification API to the page the window shows and presents each notification
as the desktop's tray message when the desktop has a tray, and in the window's log in any case; a click on the
tray message clicks the notification (room_list.js then opens its conversation).
"""
from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger(__name__)
_shown: list[Any] = []  # the notifications shown (Qt objects live as long as someone holds them), the last few


def enable() -> bool:
    """Patch pywebview's Qt page before the window is made; False when the window's Qt parts are not installed."""
    try:
        from PyQt6.QtWebEngineCore import QWebEnginePage
        from webview.platforms import qt as webview_qt  # type: ignore[import-untyped, unused-ignore]
    except Exception:  # no native extra, or no display libraries: nothing to patch
        return False
    page_class: Any = webview_qt.BrowserView.WebPage
    make_page = page_class.__init__
    refuse = page_class.onFeaturePermissionRequested

    def init(self: Any, parent: Any = None, profile: Any = None) -> None:
        make_page(self, parent, profile)
        self.profile().setNotificationPresenter(present)
        if hasattr(self, 'permissionRequested'):  # Qt 6.8+: the permission API that replaces feature permissions
            self.permissionRequested.connect(grant)

    def on_feature(self: Any, url: Any, feature: Any) -> None:
        if feature == QWebEnginePage.Feature.Notifications:
            self.setFeaturePermission(url, feature, QWebEnginePage.PermissionPolicy.PermissionGrantedByUser)
        else:
            refuse(self, url, feature)

    page_class.__init__ = init
    page_class.onFeaturePermissionRequested = on_feature
    return True


def grant(permission: Any) -> None:
    from PyQt6.QtWebEngineCore import QWebEnginePermission

    if permission.permissionType() == QWebEnginePermission.PermissionType.Notifications:
        permission.grant()


def present(notification: Any) -> None:
    """Show one notification of the page: the tray's message where there is a tray, the log always."""
    title, message = str(notification.title()), str(notification.message())
    print(f'notification: {title}: {message}', file=sys.stderr, flush=True)  # the window's log (tests read it)
    _shown.append(notification)
    del _shown[:-20]
    notification.show()
    try:
        from PyQt6.QtGui import QIcon
        from PyQt6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        tray = _tray(QSystemTrayIcon, QIcon)
        tray.messageClicked.disconnect()
        tray.messageClicked.connect(notification.click)
        tray.showMessage(title, message)
    except Exception:  # a desktop without a usable tray: the badge and the title still say it
        log.debug('no tray message for a notification', exc_info=True)


_trays: list[Any] = []


def _tray(tray_class: Any, icon_class: Any) -> Any:
    if not _trays:
        tray = tray_class(icon_class.fromTheme('mail-unread'))
        tray.messageClicked.connect(lambda: None)  # something to disconnect the first time
        tray.show()
        _trays.append(tray)
    return _trays[0]
