-- Online courses (cours en ligne): a teacher's course is ordered sections of ordered pages,
-- each page ordered blocks (Markdown text rendered and sanitised when saved, an image with
-- its text alternative, a document, a link, a video link). A course is published to classes
-- or groups; co-authors edit it with its author. A pupil's progress (pages seen, the last one
-- opened) is theirs alone: no page, API or statistic shows it to anyone else (DOMAIN.md: no
-- tracking of minors). Positions are unique per parent, checked at commit so that moving an
-- item up swaps two positions in one transaction.

CREATE TABLE courses (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    author_id     uuid REFERENCES people (id) ON DELETE SET NULL, -- NULL once the author is purged
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    subject_code  text REFERENCES subjects (code),
    school_year   text NOT NULL CHECK (school_year ~ '^[0-9]{4}-[0-9]{4}$'),
    state         text NOT NULL DEFAULT 'brouillon' CHECK (state IN ('brouillon', 'publie')),
    published_at  timestamptz,
    copied_from   uuid REFERENCES courses (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CHECK ((state = 'publie') = (published_at IS NOT NULL))
);
CREATE INDEX courses_author ON courses (author_id, updated_at DESC);

-- Colleagues who edit the course with its author.
CREATE TABLE course_coauthors (
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, person_id)
);
CREATE INDEX course_coauthors_person ON course_coauthors (person_id);

-- The classes and groups a published course is shown to.
CREATE TABLE course_audiences (
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    class_id   uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, class_id)
);
CREATE INDEX course_audiences_class ON course_audiences (class_id);

CREATE TABLE course_sections (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    UNIQUE (course_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE course_pages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    section_id  uuid NOT NULL REFERENCES course_sections (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    UNIQUE (section_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- A page's block. 'exercice' is reserved for the exercises of issue 13 (a question bank's
-- exercise shown in the page): no code writes it yet. An image or a document keeps its blob's
-- key (modules/files); a copied course's blocks name the same blobs (they never change once
-- written), so a blob is removed when the last block naming it goes, hence no UNIQUE on it.
CREATE TABLE course_blocks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    page_id       uuid NOT NULL REFERENCES course_pages (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('texte', 'image', 'fichier', 'lien', 'video', 'exercice')),
    body          text NOT NULL DEFAULT '' CHECK (length(body) <= 20000), -- texte: Markdown
    body_html     text NOT NULL DEFAULT '',                               -- texte: rendered, sanitised
    url           text NOT NULL DEFAULT '' CHECK (url = '' OR url ~ '^https?://'),
    label         text NOT NULL DEFAULT '' CHECK (length(label) <= 300),   -- a link's or video's title; an image's alt
    blob_key      text,
    name          text CHECK (length(name) BETWEEN 1 AND 120),
    content_type  text,
    size          bigint CHECK (size > 0),
    sha256        text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL,
    UNIQUE (page_id, position) DEFERRABLE INITIALLY DEFERRED,
    CHECK ((kind IN ('image', 'fichier')) = (blob_key IS NOT NULL)),
    CHECK (kind <> 'image' OR length(label) > 0),
    CHECK (kind NOT IN ('lien', 'video') OR (url <> '' AND length(label) > 0))
);
CREATE INDEX course_blocks_blob ON course_blocks (blob_key) WHERE blob_key IS NOT NULL;

-- A pupil's own progress: the pages they opened, and when last (the latest is « Reprendre »).
CREATE TABLE course_views (
    course_id       uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    page_id         uuid NOT NULL REFERENCES course_pages (id) ON DELETE CASCADE,
    pupil_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    first_seen_at   timestamptz NOT NULL,
    last_opened_at  timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, page_id)
);
CREATE INDEX course_views_course ON course_views (pupil_id, course_id, last_opened_at DESC);
