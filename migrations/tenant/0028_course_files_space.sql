-- Courses' images and documents in the establishment's file space (0025), and the notices of
-- their publication.
--
-- A copied course's blocks name the same blobs as its original's (0024: copy by reference),
-- so counting course_blocks would count a blob once per copy. The blobs become rows of their
-- own, course_files, one per blob whatever the number of blocks naming it: that table is the
-- one the file space counts. A block keeps its key (a foreign key: no block names a blob that
-- has no row); the file's name, type, size and checksum move to the file's row. The row goes,
-- with its blob, when the last block naming it goes (modules/courses: Service.Remove, Delete).
CREATE TABLE course_files (
    blob_key      text PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    author_id     uuid REFERENCES people (id) ON DELETE SET NULL, -- who sent it; NULL once purged
    created_at    timestamptz NOT NULL
);

-- The blobs already named: each once, with its first block's details and that block's
-- course's author as its sender.
INSERT INTO course_files (blob_key, name, content_type, size, sha256, author_id, created_at)
SELECT DISTINCT ON (b.blob_key) b.blob_key, b.name, b.content_type, b.size, b.sha256, c.author_id, b.created_at
FROM course_blocks b
JOIN course_pages p ON p.id = b.page_id
JOIN course_sections se ON se.id = p.section_id
JOIN courses c ON c.id = se.course_id
WHERE b.blob_key IS NOT NULL
ORDER BY b.blob_key, b.created_at, c.created_at;

ALTER TABLE course_blocks
    DROP COLUMN name,
    DROP COLUMN content_type,
    DROP COLUMN size,
    DROP COLUMN sha256,
    ADD CONSTRAINT course_blocks_file FOREIGN KEY (blob_key) REFERENCES course_files (blob_key);

SELECT file_space_track('course_files');

-- The pupils told of a course (notify kind cours): once per pupil and course, at its
-- publication or when a class or group of theirs is added to it once published, however
-- often it is taken back to a draft and published again.
CREATE TABLE course_notices (
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    pupil_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    told_at    timestamptz NOT NULL,
    PRIMARY KEY (course_id, pupil_id)
);
CREATE INDEX course_notices_pupil ON course_notices (pupil_id);

-- Courses published before: their pupils of today count as told (nobody is told of an old
-- course when a class is added to it).
INSERT INTO course_notices (course_id, pupil_id, told_at)
SELECT DISTINCT c.id, m.person_id, c.published_at
FROM courses c JOIN course_audiences ca ON ca.course_id = c.id JOIN class_members m ON m.class_id = ca.class_id
WHERE c.state = 'publie';

-- A course published to one's class or group is a kind of notification (digest by default,
-- notify.DefaultDelivery).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('new_mark', 'absence', 'justification_answered', 'message', 'news', 'travail', 'cours'));
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_kind_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_kind_check
    CHECK (kind IN ('new_mark', 'absence', 'justification_answered', 'message', 'news', 'travail', 'cours'));
