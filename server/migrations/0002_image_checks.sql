-- Certification results per disk image, reused while the image is unchanged (same size,
-- ETag and Last-Modified). The URL is stored without its query (the SAS is a secret).
CREATE TABLE image_checks (
    url_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    report TEXT NOT NULL,
    checked_ms BIGINT NOT NULL,
    PRIMARY KEY (url_key, kind)
);
