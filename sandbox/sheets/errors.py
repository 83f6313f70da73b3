"""Google's JSON error body (``{"error": {"code", "message", "status"}}``) as an exception."""

from __future__ import annotations

from aiohttp import web

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
}


class ApiError(Exception):
    """Raised by handlers; rendered by ``error_middleware`` exactly as Google renders errors."""

    def __init__(self, code: int, message: str, status: str | None = None, details: list | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict:
        """The JSON Google sends for this error."""
        error = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> ApiError:
    """400 INVALID_ARGUMENT, the answer to any malformed request."""
    return ApiError(400, message)


@web.middleware
async def error_middleware(request: web.Request, handler):
    """Turn ``ApiError`` into Google's error response."""
    try:
        return await handler(request)
    except ApiError as exc:
        return web.json_response(exc.body(), status=exc.code)
