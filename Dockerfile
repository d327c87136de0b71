# briefbot: the Telegram bot, CPU-only by default.
#   docker build -t briefbot .
#   docker build --build-arg MODELS="ar-en" -t briefbot .        # bake a model into the image
#   docker run -e TELEGRAM_BOT_TOKEN=... -v briefbot-data:/data briefbot
# The install steps are the README's (pip install of this folder), so CI exercises them.

ARG PYTHON=python:3.11-slim

FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/briefbot
ENV PATH=/opt/briefbot/bin:$PATH
# CPU torch from PyTorch's own index: PyPI's default build pulls several GB of CUDA.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG WITH_MODELS=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
RUN if [ "$WITH_MODELS" = 1 ]; then \
      pip install torch --index-url "$TORCH_INDEX" && pip install ".[models]"; \
    else \
      pip install .; \
    fi

FROM ${PYTHON}
RUN useradd --create-home --uid 10001 briefbot && mkdir /data && chown briefbot /data
COPY --from=build /opt/briefbot /opt/briefbot
ENV PATH=/opt/briefbot/bin:$PATH \
    BRIEFBOT_DATA_DIR=/data \
    HF_HOME=/data/huggingface \
    BRIEFBOT_WEBHOOK_LISTEN=0.0.0.0 \
    PYTHONUNBUFFERED=1
USER briefbot
# Optional: models fetched at build time (needs network then, never at run time).
ARG MODELS=""
RUN if [ -n "$MODELS" ]; then briefbot models download $MODELS; fi
VOLUME ["/data"]
EXPOSE 8443 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BRIEFBOT_HEALTH_PORT', '8080'), timeout=4)"
ENV BRIEFBOT_HEALTH_PORT=8080
CMD ["briefbot", "run"]
