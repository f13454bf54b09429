"""Logins on the page: every login goes through `StudyApp.login` (accounts in the database with
Argon2id hashes, else `STUDY_AUTH`), under the lockout every instance shares. A refused login
answers 400 with its Korean line as `detail`; Gradio's login form only says "잘못된 자격 증명",
so a small script in the page's head shows that line (how many tries are left, or until when
the name is locked). Passwords are handed to the check and nowhere else (never logged)."""
from __future__ import annotations

from typing import Any, Callable

from studyapp import StudyApp

AUTH_MESSAGE = ("노트 학습 도우미 로그인 — 같은 이름으로 10분 안에 5번 틀리면 그 이름은 10분 동안 "
                "로그인할 수 없습니다.")

# Shows the server's Korean line under Gradio's own "incorrect credentials" notice.
LOGIN_HEAD = """<script>
(() => {
  const orig = window.fetch;
  window.fetch = async function (input, init) {
    const r = await orig.apply(this, arguments);
    try {
      const url = new URL(typeof input === "string" ? input : (input && input.url) || "", location.href);
      if (/\\/login\\/?$/.test(url.pathname) && r.status >= 400) {
        const body = await r.clone().json();
        let el = document.getElementById("login-notice");
        if (!el) {
          el = document.createElement("div");
          el.id = "login-notice";
          el.setAttribute("role", "alert");
          el.style.cssText = "position:fixed;top:12px;left:50%;transform:translateX(-50%);z-index:1000;" +
            "background:#fff3bf;color:#5c3c00;border:1px solid #e0b400;border-radius:8px;padding:8px 14px;" +
            "max-width:90vw;font-weight:600";
          document.body.prepend(el);
        }
        el.textContent = body && body.detail ? String(body.detail) : "";
      }
    } catch (e) { /* a page nicety: the form still works without it */ }
    return r;
  };
})();
</script>"""


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
