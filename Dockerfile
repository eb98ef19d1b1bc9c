# One image for every Marelle service, the gateway and the workers; the command picks the role:
#   python -m marelle_family migrate | api | worker      python -m marelle_gateway
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/marelle
RUN pip install --no-cache-dir uv
WORKDIR /src
COPY . .
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app marelle
COPY --from=build /opt/marelle /opt/marelle
ENV PATH=/opt/marelle/bin:$PATH PYTHONUNBUFFERED=1 MARELLE_MODE=distributed
WORKDIR /app
USER 10001
EXPOSE 8000 8101 8102 8103 8104 8105
CMD ["python", "-m", "marelle_gateway"]
