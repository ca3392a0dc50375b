-- The prompt library: prompts a user saved with the settings to generate them again.
CREATE TABLE prompts (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           text NOT NULL,
    prompt          text NOT NULL,
    negative_prompt text,
    -- Optional generation settings (model, aspect_ratio, width, height, quality, output_format,
    -- seed, num_images), validated by the API.
    parameters      jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX prompts_user_idx ON prompts (user_id, created_at DESC, id DESC);
