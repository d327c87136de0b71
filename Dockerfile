# briefbot: the Telegram bot, CPU-only by default.
#   docker build -t briefbot .                                   # no model: briefs stay in the article's language
#   docker build --build-arg MODELS="ar-en" -t briefbot .        # bake models into the image (needs internet then)
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
RUN if [ "$WITH_MODELS" = 1 ]; then \
      pip install torch --index-url "$TORCH_INDEX" && pip install ".[models,scale]"; \
    else \
      pip install ".[scale]"; \
    fi

FROM ${PYTHON}
# /data is the volume (state, CTranslate2 copies); models live in /opt/models, outside it,
# so that an existing /data volume never hides the models baked into a newer image.
RUN useradd --create-home --uid 10001 briefbot && mkdir /data /opt/models && chown briefbot /data /opt/models
COPY --from=build /opt/briefbot /opt/briefbot
# The llm engine's templates: not part of the installed package.
COPY prompts /opt/briefbot/prompts
ENV PATH=/opt/briefbot/bin:$PATH \
    BRIEFBOT_DATA_DIR=/data \
    BRIEFBOT_PROMPTS_DIR=/opt/briefbot/prompts \
    HF_HOME=/opt/models \
    BRIEFBOT_WEBHOOK_LISTEN=0.0.0.0 \
    PYTHONUNBUFFERED=1
USER briefbot
# Optional: models fetched at build time (needs network then, never at run time).
ARG MODELS=""
RUN if [ -n "$MODELS" ]; then briefbot models download $MODELS; fi
VOLUME ["/data"]
EXPOSE 8443 8080
ENV BRIEFBOT_HEALTH_PORT=8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BRIEFBOT_HEALTH_PORT', '8080'), timeout=4)"
CMD ["briefbot", "run"]
