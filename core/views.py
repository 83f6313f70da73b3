import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from core import metrics as muster_metrics
from core.health import check_broker, check_database, run_checks


@never_cache
@require_GET
def healthz(request):
    """200 with every part "ok", else 503 with the failing parts' reasons."""
    checks = run_checks()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz_live(request):
    """Liveness: the process answers; no database, broker or heartbeat is asked."""
    return JsonResponse({"live": "ok"})


@never_cache
@require_GET
def healthz_ready(request):
    """Readiness: 200 when the database and the broker answer, else 503 with their reasons.

    Beat and delivery stay out: a pod that cannot serve is taken out of the Service, but a
    stopped beat or a paused outbox is no reason to stop serving pages (``/healthz`` says so).
    """
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request):
    """Muster's metrics in Prometheus' text format, for ``Authorization: Bearer <METRICS_TOKEN>`` only.

    Without METRICS_TOKEN the page does not exist (404); a missing or wrong token is 401.
    """
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404("no METRICS_TOKEN is set")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        response = HttpResponse("A bearer token (METRICS_TOKEN) is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="muster metrics"'
        return response
    return HttpResponse(generate_latest(muster_metrics.registry()), content_type=CONTENT_TYPE_LATEST)
