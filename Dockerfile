# The production image: one image for the web, worker and beat containers (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=itsm.settings \
    ITSM_VAR_DIR=/var/lib/itsm \
    STATIC_MANIFEST=true

WORKDIR /app

# Dependencies in a layer of their own, rebuilt only when pyproject.toml changes: with no code
# beside it, `pip install .` installs every dependency and an empty distribution. The code runs
# from /app (PYTHONPATH), where settings find templates/ and static/ next to it.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Hashed, compressed static files for whitenoise (STATIC_MANIFEST=true); no database needed.
RUN python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --user-group --home-dir /var/lib/itsm --no-create-home itsm \
    && mkdir -p /var/lib/itsm/media /var/lib/itsm/beat \
    && chown -R itsm:itsm /var/lib/itsm

USER itsm
EXPOSE 8000
CMD ["gunicorn", "itsm.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
