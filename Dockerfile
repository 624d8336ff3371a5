# Production-like image: gunicorn serving Django, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm poppler-utils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app

COPY pyproject.toml constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt \
    $(python -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))")
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY . .
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 hub && mkdir -p /app/media && chown -R hub /app/media
USER hub
EXPOSE 8000
# Workers and threads from GUNICORN_WORKERS (or WEB_CONCURRENCY) and GUNICORN_THREADS (config/gunicorn.py;
# README "Production-like stack" gives the counts for 2 and 16 cores).
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
