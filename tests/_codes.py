"""In-band error codes and the class each must raise: shared by the unit and e2e tests."""

from __future__ import annotations

import pyllm

STREAM_ERROR_CODES: list[tuple[object, type[pyllm.APIError]]] = [
    (400, pyllm.BadRequestError),
    (408, pyllm.RequestTimeoutError),
    (429, pyllm.RateLimitError),
    (502, pyllm.ServiceUnavailableError),
    (503, pyllm.ServiceUnavailableError),
    (529, pyllm.OverloadedError),
    ("server_error", pyllm.ServerError),
]
