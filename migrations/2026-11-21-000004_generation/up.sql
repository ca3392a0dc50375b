-- Generation tasks, the job queue that runs them, and the images they produce.

CREATE TABLE ai_tasks (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model            text NOT NULL,
    provider         text NOT NULL,
    prompt           text NOT NULL,
    negative_prompt  text,
    aspect_ratio     text,
    width            integer NOT NULL CHECK (width > 0),
    height           integer NOT NULL CHECK (height > 0),
    quality          text NOT NULL CHECK (quality IN ('standard', 'high')),
    output_format    text NOT NULL CHECK (output_format IN ('png', 'jpeg', 'webp')),
    seed             bigint NOT NULL,
    num_images       integer NOT NULL CHECK (num_images BETWEEN 1 AND 16),
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    provider_task_id text,
    failure_reason   text,
    failure_message  text,
    progress         real,
    cost             bigint NOT NULL CHECK (cost > 0),
    charged          bigint NOT NULL DEFAULT 0,
    refunded         bigint NOT NULL DEFAULT 0,
    hold_id          uuid REFERENCES credit_holds (id) ON DELETE SET NULL,
    idempotency_key  text,
    request_hash     bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_tasks_idempotency_key UNIQUE (user_id, idempotency_key)
);

CREATE INDEX ai_tasks_user_idx ON ai_tasks (user_id, created_at DESC);

-- One job per task. Claimed with FOR UPDATE SKIP LOCKED; a running job whose lease lapsed
-- (its worker died) can be claimed again.
CREATE TABLE jobs (
    id           uuid PRIMARY KEY,
    task_id      uuid NOT NULL REFERENCES ai_tasks (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 3,
    run_at       timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    locked_by    text,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_task_id_key UNIQUE (task_id)
);

CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE status IN ('queued', 'running');

CREATE TABLE images (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id       uuid REFERENCES ai_tasks (id) ON DELETE SET NULL,
    position      integer NOT NULL,
    storage_key   text NOT NULL,
    thumbnail_key text NOT NULL,
    width         integer NOT NULL,
    height        integer NOT NULL,
    format        text NOT NULL,
    bytes         bigint NOT NULL,
    sha256        bytea NOT NULL,
    favorite      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX images_user_idx ON images (user_id, created_at DESC);
CREATE INDEX images_task_idx ON images (task_id);
