# One image for both roles:
#   web:    docker run -p 8000:8000 -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=studio.example.com IMAGE
#   worker: docker run -e DJANGO_SECRET_KEY=... IMAGE python manage.py runworker
# Both need the same DATABASE_URL and the same files: on one machine a shared media volume (/data), on several
# PostgreSQL and an S3 bucket from the environment (STORAGE_S3_*; README "Running on several machines"), with
# nothing shared on disk. WEB_CONCURRENCY sets gunicorn's workers; STUDIO_MIGRATE=0 skips migrating at web start
# (run `python manage.py migrate` once per release instead when several web containers start together).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STUDIO_VAR_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles

# Debian's ffmpeg: security updates come with the OS, and the studio prefers a system ffmpeg when present.
# fonts-noto-cjk: Noto Sans CJK for the preview's Chinese captions, beside the CJK font the Python dependencies
# bring (preview/fonts.py takes the first font that covers a prompt).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY manage.py pyproject.toml ./
COPY seedance_studio ./seedance_studio
COPY templates ./templates
COPY static ./static

# collectstatic needs settings to import; the key used here is thrown away with this build step.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime python manage.py collectstatic --no-input

RUN useradd --system --uid 10001 --home-dir /app studio \
    && mkdir -p /data/media \
    && chown -R studio:studio /data
USER studio
VOLUME ["/data"]
EXPOSE 8000

CMD ["sh", "-c", "if [ \"${STUDIO_MIGRATE:-1}\" != 0 ]; then python manage.py migrate --no-input || exit 1; fi; exec gunicorn seedance_studio.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --timeout 120 --access-logfile -"]
