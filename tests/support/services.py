"""A test that needs a service this machine lacks (PostgreSQL, Chromium, Tesseract, nginx) is
skipped with the reason on a contributor's machine and fails in CI, where `.ci/run` sets
`STUDY_REQUIRE_SERVICES=1`: nothing silently stops running there."""
from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

REQUIRE_VAR = "STUDY_REQUIRE_SERVICES"


def required() -> bool:
    return os.environ.get(REQUIRE_VAR, "").strip() not in ("", "0")


def unavailable(service: str, why: str) -> NoReturn:
    """Skip (or, in CI, fail) the test: `service` cannot run here because `why`."""
    message = f"{service} is not available: {why}"
    if required():
        pytest.fail(f"{message} ({REQUIRE_VAR}=1: this must run here)", pytrace=False)
    pytest.skip(message)


def need_program(program: str, package: str) -> str:
    """The path of `program`, or skip/fail naming the Debian package that provides it."""
    path = shutil.which(program)
    if path is None:
        unavailable(program, f"not on PATH (apt-get install {package})")
    return path


def need_tesseract() -> str:
    """The Tesseract the OCR tests run (with its Korean data), or skip/fail naming what to install."""
    from retriever.ocr import OcrConfig, OcrUnavailable
    from retriever.ocr.tesseract import Tesseract

    try:
        return Tesseract.find(OcrConfig()).exe
    except OcrUnavailable as exc:
        unavailable("Tesseract with Korean data", str(exc))
