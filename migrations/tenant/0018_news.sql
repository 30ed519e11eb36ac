-- News (actualités): posts the establishment addresses to everyone, a class, a group, its
-- staff or its guardians (optionally the guardians of one class). A post is written in
-- Markdown; body_html is its rendering, sanitised when saved (modules/news/markdown.go), so
-- pages never render users' raw HTML. A contributor's post waits for the direction's
-- validation (a_valider) before it is published; it is shown from publish_at (or its
-- publication) until expires_at. Who a post is addressed to is computed from the directory
-- at each read (modules/news/audience.go), so a pupil who changes class sees the new class's
-- news.

CREATE TABLE news_posts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    author_id     uuid REFERENCES people (id) ON DELETE SET NULL, -- NULL once the author is purged
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    body          text NOT NULL CHECK (length(body) <= 20000),
    body_html     text NOT NULL,
    audience      text NOT NULL CHECK (audience IN ('etablissement', 'classe', 'groupe', 'personnels', 'responsables')),
    class_id      uuid REFERENCES classes (id) ON DELETE CASCADE,
    state         text NOT NULL DEFAULT 'brouillon' CHECK (state IN ('brouillon', 'a_valider', 'publie')),
    headline      boolean NOT NULL DEFAULT false,
    publish_at    timestamptz,
    expires_at    timestamptz CHECK (expires_at IS NULL OR publish_at IS NULL OR expires_at > publish_at),
    published_at  timestamptz,
    published_by  uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- a class or a group post names it; guardians may be narrowed to one class; others none
    CHECK (CASE audience WHEN 'classe' THEN class_id IS NOT NULL WHEN 'groupe' THEN class_id IS NOT NULL
                         WHEN 'responsables' THEN true ELSE class_id IS NULL END),
    CHECK ((state = 'publie') = (published_at IS NOT NULL))
);
CREATE INDEX news_posts_current ON news_posts (published_at DESC) WHERE state = 'publie';
CREATE INDEX news_posts_author ON news_posts (author_id, updated_at DESC);
CREATE INDEX news_posts_pending ON news_posts (updated_at) WHERE state = 'a_valider';

-- Who read a post: one row per person, written on their first view.
CREATE TABLE news_reads (
    post_id    uuid NOT NULL REFERENCES news_posts (id) ON DELETE CASCADE,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    read_at    timestamptz NOT NULL,
    PRIMARY KEY (post_id, person_id)
);

-- A document (PDF) or image (JPEG, PNG) attached to a post; it goes with it. Its bytes are in
-- the blob store under the establishment's prefix (the row keeps the key after it, "news/<128
-- random bits>"), type known by content, size and SHA-256 checked when served. An image is
-- shown in the post and needs its text alternative (alt).
CREATE TABLE news_files (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    post_id       uuid NOT NULL REFERENCES news_posts (id) ON DELETE CASCADE,
    blob_key      text NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    content_type  text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    alt           text NOT NULL DEFAULT '' CHECK (length(alt) <= 300),
    created_at    timestamptz NOT NULL,
    CHECK (content_type = 'application/pdf' OR length(alt) > 0)
);
CREATE INDEX news_files_post ON news_files (post_id, created_at);
