"""Settings (pydantic-settings, prefix ``WCKG_``). No instance is made at import time:
call :func:`get_settings` (cached) or build ``Settings(...)`` explicitly in tests."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository checkout the package runs from (the package is installed editable).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("wckg")) / "store"


class Settings(BaseSettings):
    """Every setting of wckg. Each can be given as an environment variable ``WCKG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WCKG_", env_file=".env", extra="ignore")

    # --- data and store -----------------------------------------------------------
    data_dir: Path = Field(PROJECT_ROOT / "data", description="curated data: sources/, reference/, articles/")
    ontology_dir: Path = Field(PROJECT_ROOT / "ontology", description="wckg.ttl, shapes/, vocab/")
    queries_dir: Path = Field(PROJECT_ROOT / "queries", description="named queries (*.rq)")
    store: Path = Field(default_factory=default_store_path,
                        description="embedded store location (a directory managed by wckg build)")
    backend: Literal["embedded", "remote"] = Field("embedded", description="which store serves queries")
    drafts_dir: Path | None = Field(None, description="review queue of machine drafts (default: {data_dir}/drafts, not committed)")

    # --- remote SPARQL 1.1 server ---------------------------------------------------
    remote_query_url: str | None = Field(None, description="SPARQL 1.1 Protocol query endpoint")
    remote_update_url: str | None = Field(None, description="SPARQL 1.1 Protocol update endpoint")
    remote_gsp_url: str | None = Field(None, description="Graph Store HTTP Protocol endpoint")
    remote_user: str | None = None
    remote_password: SecretStr | None = None
    remote_timeout: float = Field(60.0, description="seconds for one HTTP request to the remote server")

    # --- identifiers and publishing ---------------------------------------------------
    base_iri: str = Field("https://w3id.org/wckg/id/", description="base of every resource IRI")
    ontology_iri: str = Field("https://w3id.org/wckg/ontology", description="IRI of the ontology document")
    public_url: str = Field("http://127.0.0.1:8000", description="where the site is reachable (download and endpoint URLs)")
    licence: str | None = Field("http://creativecommons.org/licenses/by/4.0/", description="licence IRI of the dataset")
    publisher_name: str | None = Field("wckg contributors", description="publisher of the dataset (foaf:name)")
    publisher_iri: str | None = Field("https://w3id.org/wckg/id/organisation/wckg-project", description="publisher IRI")
    contact_email: str | None = Field("wckg@example.org", description="role address for the contact point")
    release_date: date | None = Field(None, description="dcterms:modified of a release (default: derived from the data)")

    # --- queries ----------------------------------------------------------------------
    query_timeout: float = Field(30.0, gt=0, description="seconds before a query is stopped")
    max_rows: int = Field(10000, gt=0, description="cap on result rows of the public endpoint")
    query_workers: int = Field(2, ge=1, le=16, description="worker processes that run queries")
    in_memory: bool | None = Field(None, description="query workers hold a copy of the store in memory: true, false, "
                                                     "or unset / auto: in memory when the copies fit WCKG_MEMORY_BUDGET_MB")
    memory_budget_mb: int = Field(4096, ge=0, description="MiB the in-memory copies of the store may take together (one "
                                                          "per site and public query worker); over it, or a copy over half "
                                                          "of WCKG_WORKER_MEMORY_MB, the workers read the store on disk")

    # --- network pages (graph.network.pool) ---------------------------------------------
    network_workers: int = Field(1, ge=1, le=8, description="processes that compute network pages (never the web process)")
    network_wait: float = Field(20.0, gt=0, description="seconds a network page waits for its computation before "
                                                        "503 with Retry-After (the computation goes on; the retry gets it)")
    network_time_limit: float = Field(300.0, gt=0, description="seconds after which a network computation is stopped")
    network_queue: int = Field(8, ge=1, description="network computations that may wait for the worker before 503")
    network_ego_max_nodes: int = Field(1500, ge=10, description="nodes an ego network stops growing at (the nearest "
                                                                "first; the page says what was cut)")
    network_nice: int = Field(10, ge=0, le=19, description="CPU niceness of the network worker (0: as the server): "
                                                           "the network table a rebuild leaves to compute, and big "
                                                           "networks, take the CPU the other pages leave over")

    # --- extraction (graph.ingest) ------------------------------------------------------
    spacy_model: str | None = Field(None, description="installed spaCy pipeline for `wckg extract` (default: blank English, no model)")
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir("wckg")),
                            description="cache directory (extraction gazetteers)")
    # --- bounds and abuse limits (issue 17; README "Security") --------------------------
    site_workers: int = Field(2, ge=1, le=16, description="worker processes for the site's own pages (a lane apart "
                                                          "from the public endpoint's WCKG_QUERY_WORKERS)")
    worker_memory_mb: int = Field(2048, ge=0, description="memory cap of one query worker in MiB (RLIMIT_DATA); "
                                                          "0: no cap. An in-memory copy of the store counts")
    max_answer_bytes: int = Field(32 * 1024 * 1024, gt=0, description="cap on the bytes of one public answer "
                                                                       "(cut at whole rows, X-WCKG-Truncated says so)")
    max_request_bytes: int = Field(512 * 1024, gt=0, description="largest request body accepted (chunked included)")
    query_rate: str = Field("120/minute", description="public queries per client (limits syntax: N/second|minute|hour)")
    client_queries: int = Field(4, ge=1, description="public queries one client may have running at once")
    query_queue: int = Field(8, ge=0, description="public queries that may wait for a worker before 503")
    spare_workers: int = Field(1, ge=0, le=4, description="warm spare query workers of the public lane: started "
                                                          "and holding the store, idle, so that the next query "
                                                          "runs at once when a worker is stopped or dies")
    query_nice: int = Field(10, ge=0, le=19, description="CPU niceness of the public endpoint's query workers (0: "
                                                         "as the server): a runaway query then takes the CPU the web "
                                                         "process, the site's pages and /-/health leave over")
    health_timeout: float = Field(2.0, gt=0, description="seconds /-/health waits for the store and a worker")
    trusted_hosts: str = Field("*", description="comma-separated Host names accepted (e.g. wckg.example.org); "
                                                "* accepts any, URLs are built from WCKG_PUBLIC_URL either way")

    # --- web --------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    admin_token: SecretStr | None = Field(None, description="bearer token for write operations (none: writes disabled)")

    @property
    def drafts_path(self) -> Path:
        """Where the review queue lives (``WCKG_DRAFTS_DIR``, default ``{data_dir}/drafts``)."""
        return self.drafts_dir if self.drafts_dir is not None else self.data_dir / "drafts"

    @field_validator("in_memory", mode="before")
    @classmethod
    def _auto_is_unset(cls, v: object) -> object:
        if isinstance(v, str) and v.strip().lower() in ("", "auto"):
            return None
        return v

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, v: str) -> str:
        if not v.endswith("/"):
            raise ValueError("WCKG_BASE_IRI must end with '/' (e.g. https://w3id.org/wckg/id/)")
        return v


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
