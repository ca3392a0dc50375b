-- The W3C `traceparent` of the request that queued a job, so the spans of the work done for it
-- later (by any worker) link back to that request. Empty when tracing was off.
ALTER TABLE jobs
    ADD COLUMN traceparent TEXT
        CONSTRAINT jobs_traceparent_length CHECK (length(traceparent) <= 128);
