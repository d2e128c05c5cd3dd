# Viva in a container: Python 3.11 slim, CPU torch, a non-root user, data/ on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/viva.db

# libseccomp: the code sandbox (user namespaces must be allowed by the host runtime).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libseccomp2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# CPU-only torch first: an unpinned torch would pull a multi-GB CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
COPY content ./content
COPY coding_tasks ./coding_tasks
RUN pip install -e .

RUN useradd --create-home --uid 10001 viva && mkdir -p /app/data && chown viva:viva /app/data
USER viva
VOLUME ["/app/data"]

ENTRYPOINT ["viva"]
CMD ["run"]
