"""Logins on the page: every login goes through `StudyApp.login` (accounts in the database with
Argon2id hashes, else `STUDY_AUTH`), under the lockout every instance shares. A refused login
answers 400 with its Korean line as `detail`; Gradio's login form only says "잘못된 자격 증명",
so a small script on the login page shows that line (how many tries are left, or until when
the name is locked). Passwords are handed to the check and nowhere else (never logged)."""
from __future__ import annotations

import html
from typing import Any, Callable

from studyapp import StudyApp

AUTH_MESSAGE = ("노트 학습 도우미 로그인 — 같은 이름으로 10분 안에 5번 틀리면 그 이름은 10분 동안 "
                "로그인할 수 없습니다.")

# Shows the server's Korean line under Gradio's own "incorrect credentials" notice. Gradio's
# login page carries neither `head` nor `js`, only `auth_message` as HTML: the script rides on
# an image that fails to load (an inline <script> put in with innerHTML never runs). An inline
# handler resolves names on the element and the document first: `window.URL`, not `URL`
# (document.URL is the page's address).
_NOTICE_JS = """if (!window.__loginNotice) { window.__loginNotice = true; const orig = window.fetch;
window.fetch = async function (input, init) {
  const r = await orig.apply(this, arguments);
  try {
    const url = new window.URL(typeof input === 'string' ? input : (input && input.url) || '', location.href);
    if (/\\/login\\/?$/.test(url.pathname) && r.status >= 400) {
      const body = await r.clone().json();
      let el = document.getElementById('login-notice');
      if (!el) {
        el = document.createElement('div'); el.id = 'login-notice'; el.setAttribute('role', 'alert');
        el.style.cssText = 'position:fixed;top:12px;left:50%;transform:translateX(-50%);z-index:1000;max-width:90vw;' +
          'padding:8px 14px;border:1px solid #e0b400;border-radius:8px;background:#fff3bf;color:#5c3c00;font-weight:600';
        document.body.appendChild(el);  /* outside the login form, which re-renders */
      }
      el.textContent = body && body.detail ? String(body.detail) : '';
    }
  } catch (e) { /* a nicety: the form works without it */ }
  return r;
}; }"""
LOGIN_PAGE_MESSAGE = (f"{AUTH_MESSAGE}<img src=\"data:,\" alt=\"\" style=\"display:none\" "
                      f"onerror=\"{html.escape(_NOTICE_JS, quote=True)}\">")


def authenticator(sa: StudyApp) -> Callable[[str, str], Any] | None:
    """Gradio's `auth` callable (None when the app has no logins): the check runs in a worker
    thread (an Argon2id verification takes tens of milliseconds of CPU; the event loop keeps
    serving), and a refusal raises HTTP 400 with the Korean line."""
    if not sa.login_enabled():
        return None

    async def auth(name: str, password: str) -> bool:
        import anyio
        from fastapi import HTTPException

        result = await anyio.to_thread.run_sync(sa.login, name, password)
        if result.ok:
            return True
        raise HTTPException(status_code=400, detail=result.message)

    return auth
