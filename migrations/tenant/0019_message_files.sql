-- Attachments of messages (messagerie): the blob store keeps the bytes under the
-- establishment's prefix, this table their metadata and checksum. A message's files go with
-- it (the last copy deleted deletes the message); their blobs are then removed by the
-- module, or by its hourly sweep.
CREATE TABLE message_files (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id    uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    blob_key      text NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL
);
CREATE INDEX message_files_message ON message_files (message_id, created_at);

-- A person's attachment quota sums the files of the messages they sent: found by sender.
CREATE INDEX messages_sender ON messages (sender_id, sent_at);
