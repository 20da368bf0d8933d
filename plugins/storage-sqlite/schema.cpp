#include "schema.hpp"

#include <stdexcept>
#include <string>

namespace switchboard::sqlite {

namespace {

// Append new steps at the end; never edit a step that has shipped.
//
// No foreign keys between the tables on purpose: the ABI does not order
// put_conversation before append_message or set_read, so a message may arrive
// for a conversation whose record is not stored yet.
const char* const kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE messages (
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL CHECK (seq > 0),
  message_id      TEXT NOT NULL,
  sender_role     TEXT NOT NULL,
  sender_id       TEXT NOT NULL,
  sender_name     TEXT NOT NULL,
  client_msg_id   TEXT NOT NULL,
  text            TEXT NOT NULL,
  ts_ms           INTEGER NOT NULL,
  flags           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE conversations (
  id         TEXT PRIMARY KEY NOT NULL,
  status     TEXT NOT NULL,
  visitor_id TEXT,
  assignee   TEXT,
  updated_ms INTEGER NOT NULL,
  doc        TEXT NOT NULL
);
CREATE INDEX conversations_by_status ON conversations (status, updated_ms);
CREATE INDEX conversations_by_visitor ON conversations (visitor_id, updated_ms);
CREATE INDEX conversations_by_assignee ON conversations (assignee, updated_ms);
CREATE INDEX conversations_by_updated ON conversations (updated_ms);
CREATE TABLE read_cursors (
  conversation_id TEXT NOT NULL,
  participant_id  TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, participant_id)
) WITHOUT ROWID;
CREATE TABLE kv (
  ns    TEXT NOT NULL,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
)sql",
    // 2: the conversation list filters by group, tag and creation time, each through
    // an index (a tag is a row of its own, so "has tag X" is one index range).
    R"sql(
ALTER TABLE conversations ADD COLUMN group_name TEXT;
ALTER TABLE conversations ADD COLUMN created_ms INTEGER;
UPDATE conversations SET group_name = json_extract(doc, '$.group'),
                         created_ms = json_extract(doc, '$.created_at');
CREATE INDEX conversations_by_group ON conversations (group_name, updated_ms);
CREATE INDEX conversations_by_created ON conversations (created_ms);
CREATE TABLE conversation_tags (
  tag             TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  PRIMARY KEY (tag, conversation_id)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_by_conversation ON conversation_tags (conversation_id);
INSERT OR IGNORE INTO conversation_tags (tag, conversation_id)
  SELECT t.value, c.id FROM conversations c, json_each(c.doc, '$.tags') t
  WHERE json_type(c.doc, '$.tags') = 'array' AND t.type = 'text';
)sql",
    // 3: files (chat attachments). The bytes are files under <data_dir>/attachments;
    // a row makes one stored and counted (blob_files.hpp). Messages keep the
    // attachments sent with them as the JSON array the host gave.
    R"sql(
CREATE TABLE blobs (
  id         TEXT PRIMARY KEY NOT NULL,
  size       INTEGER NOT NULL,
  meta       TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '';
)sql",
    // 4: full-text search (ABI 1.3). An external-content FTS5 index over
    // messages.text keyed by the message's rowid (the text is not stored twice),
    // kept in step by triggers in the same transaction as the insert, and built
    // for the messages already stored. The trigram tokenizer indexes every run of
    // three characters, so a query of three or more characters is found anywhere,
    // also in the middle of a Chinese sentence, which has no spaces to split words
    // on (case-insensitive for ASCII). Shorter queries: reader.cpp.
    // The index is keyed by rowid: a VACUUM may renumber the rowids of `messages`
    // (it has no INTEGER PRIMARY KEY), so after a manual VACUUM run
    //   INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
    R"sql(
CREATE VIRTUAL TABLE messages_fts USING fts5(
  text, content = 'messages', content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
)sql",
    // 5: append-only logs (ABI 1.4): the audit log, the routing graph's saved
    // versions. Keyed by (log, seq), so "newest first from a cursor" is one range
    // of the primary key; the filters on kind and actor have an index each that
    // keeps seq order, so a filtered page is a range too.
    R"sql(
CREATE TABLE log_entries (
  log   TEXT NOT NULL,
  seq   INTEGER NOT NULL CHECK (seq > 0),
  ts_ms INTEGER NOT NULL,
  kind  TEXT NOT NULL,
  actor TEXT NOT NULL,
  data  TEXT NOT NULL,
  PRIMARY KEY (log, seq)
) WITHOUT ROWID;
CREATE INDEX log_entries_by_kind ON log_entries (log, kind, seq);
CREATE INDEX log_entries_by_actor ON log_entries (log, actor, seq);
)sql",
    // 6: the writer indexes each appended message with its own statement (committer.cpp)
    // instead of this trigger. A trigger makes every insert a statement transaction,
    // and FTS5 writes its pending terms out as a new index segment at each one: a
    // segment (and its merges) per message was the largest cost of storing one.
    // Deletes and edits, which are rare, keep their triggers.
    R"sql(
DROP TRIGGER IF EXISTS messages_fts_insert;
)sql",
    // 7: data protection (ABI 1.5). log_prune removes old entries; the highest seq
    // a log gave out is kept here, so numbering goes on after its newest entries went.
    R"sql(
CREATE TABLE log_counters (
  log      TEXT PRIMARY KEY NOT NULL,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 8: search indexing leaves the path of an acknowledgement. An appended message
    // is stored with its rowid in messages_unindexed (one small row in the same
    // transaction); the writer indexes those rows in bulk a moment later, in its own
    // transaction (committer.cpp), and search reads them by a plain scan meanwhile
    // (reader.cpp), so a message is still found as soon as its append completed.
    // One FTS5 segment per few hundred messages instead of one per commit: the
    // segment merges were the writer's longest stalls, behind the ack p99.
    // A row not indexed yet must not be 'delete'd from the index (FTS5 would drop
    // terms it never had): the triggers skip it and only forget it.
    R"sql(
CREATE TABLE messages_unindexed (rowid INTEGER PRIMARY KEY);
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) SELECT 'delete', old.rowid, old.text
    WHERE NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE rowid = old.rowid);
  DELETE FROM messages_unindexed WHERE rowid = old.rowid;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
  WHEN NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE rowid = old.rowid) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
)sql",
    // 9: a mark instead of a row per message. Every message whose rowid is at most
    // search_mark.indexed_upto is in the index, every one above it is not; the
    // writer indexes the rows above the mark in bulk and moves the mark in the same
    // transaction, and at its start it indexes whatever a crash left above it. An
    // append no longer writes a second row (and its page) beside the message.
    // SQLite gives a new row the largest rowid plus one, so once the newest rows are
    // deleted a rowid at or below the mark could be given out again: the delete
    // trigger lowers the mark to the largest rowid left (every row up to it is
    // indexed, since it was below the old mark).
    R"sql(
INSERT INTO messages_fts (rowid, text)
  SELECT m.rowid, m.text FROM messages_unindexed u JOIN messages m ON m.rowid = u.rowid;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_unindexed;
CREATE TABLE search_mark (
  only_row     INTEGER PRIMARY KEY CHECK (only_row = 1),
  indexed_upto INTEGER NOT NULL
);
INSERT INTO search_mark (only_row, indexed_upto) SELECT 1, coalesce(max(rowid), 0) FROM messages;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) SELECT 'delete', old.rowid, old.text
    WHERE old.rowid <= (SELECT indexed_upto FROM search_mark);
  UPDATE search_mark SET indexed_upto = (SELECT coalesce(max(rowid), 0) FROM messages)
    WHERE indexed_upto > (SELECT coalesce(max(rowid), 0) FROM messages);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
  WHEN old.rowid <= (SELECT indexed_upto FROM search_mark) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
)sql",
    // 10: the index keeps which messages hold a trigram, not where (detail = none):
    // a slice of indexing takes a quarter to a third of the time. FTS5 then
    // refuses phrase queries, so the reader asks for the rows holding every trigram
    // of the query and checks them with LIKE (reader.cpp). The index is emptied
    // and the mark set to 0: the writer indexes every message again, slice by
    // slice between its commits, and search reads the rows above the mark by a
    // plain scan meanwhile, so it answers the same, only more slowly until the
    // writer is through. The triggers name the table, not its options: they go on
    // as they are.
    R"sql(
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(
  text, content = 'messages', content_rowid = 'rowid', tokenize = 'trigram', detail = none);
UPDATE search_mark SET indexed_upto = 0;
)sql",
    // 11: the durable log (durable_log.hpp): per log file, the last batch applied,
    // committed in the same transaction as the batch's writes. A plugin older than
    // this version would ignore logged writes not applied yet, so it must refuse
    // the file, which a newer version number makes it do.
    R"sql(
CREATE TABLE IF NOT EXISTS durable_logs (
  name          TEXT PRIMARY KEY,
  applied_batch INTEGER NOT NULL
);
)sql",
};

constexpr int kMigrationCount = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

std::string newer_schema_error(const std::string& path, int version) {
  return "storage-sqlite: " + path + " has schema version " + std::to_string(version) +
         ", newer than version " + std::to_string(kMigrationCount) +
         " this plugin knows; refusing to open it (it was written by a newer storage-sqlite: "
         "upgrade the plugin, or point `file` elsewhere)";
}

}  // namespace

int latest_schema_version() {
  return kMigrationCount;
}

void refuse_newer_schema(Connection& connection, const std::string& path) {
  const int version = std::stoi(connection.query_text("PRAGMA user_version"));
  if (version > kMigrationCount) throw std::runtime_error(newer_schema_error(path, version));
}

void migrate(Connection& connection, const std::string& path) {
  // One step per transaction. The version is read inside the write transaction, so
  // two instances opening the same file (a tenant reload) never apply a step twice.
  for (;;) {
    connection.exec_or_throw("BEGIN IMMEDIATE");
    std::string error;
    auto fail = [&](const std::string& why) {
      std::string ignored;
      connection.exec("ROLLBACK", ignored);
      throw std::runtime_error(why);
    };
    int current = 0;
    try {
      current = std::stoi(connection.query_text("PRAGMA user_version"));
    } catch (const std::exception& e) {
      fail(e.what());
    }
    if (current > kMigrationCount) fail(newer_schema_error(path, current));
    if (current == kMigrationCount) {
      connection.exec_or_throw("COMMIT");
      return;
    }
    const int version = current + 1;
    // user_version lives in the file header, so it commits atomically with the step.
    const std::string step = std::string(kMigrations[version - 1]) +
                             "\nPRAGMA user_version = " + std::to_string(version) + ";";
    if (connection.exec(step.c_str(), error) != SQLITE_OK) {
      fail("storage-sqlite: " + path + ": migration to schema version " + std::to_string(version) +
           " failed: " + error);
    }
    connection.exec_or_throw("COMMIT");
  }
}

}  // namespace switchboard::sqlite
