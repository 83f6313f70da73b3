# syntax=docker/dockerfile:1
# Build stage: compile wheels once, so the runtime image carries no compiler.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements/ /tmp/requirements/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install -r /tmp/requirements/base.txt

# Runtime stage: the virtualenv, the code, a non-root user.
FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=config.settings
# Fixed ids: deploy/k8s runs the pods as runAsUser 999, runAsGroup 999 (runAsNonRoot wants a number).
RUN groupadd --system --gid 999 muster && useradd --system --uid 999 --gid muster --home-dir /app --shell /usr/sbin/nologin muster
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=muster:muster . /app
# collectstatic needs settings to load; these build-time values never reach a container.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0
USER muster
EXPOSE 8000
# GET /healthz with the Host of the first ALLOWED_HOSTS entry (Django refuses any other).
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python config/healthcheck.py --port 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-"]
