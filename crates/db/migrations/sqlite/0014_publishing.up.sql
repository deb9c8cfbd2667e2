-- Publishing (issue 24): news, policies, procedure guides, legal documents
-- and FAQs, each in Vietnamese (required) and English (optional), with an
-- editorial workflow draft -> in_review -> scheduled -> published -> archived.
CREATE TABLE content_items (
    id INTEGER PRIMARY KEY,
    -- news, policy, procedure, legal_document, faq
    kind TEXT NOT NULL,
    -- draft, in_review, scheduled, published, archived
    state TEXT NOT NULL DEFAULT 'draft',
    -- a section of news and policies (province, economy, community...), '' none
    category TEXT NOT NULL DEFAULT '',
    -- free tags, comma-separated
    tags TEXT NOT NULL DEFAULT '',
    featured BIGINT NOT NULL DEFAULT 0,
    -- when a scheduled item is to be published (RFC 3339 UTC)
    publish_at TEXT,
    -- when it was first published (its date in URLs and feeds)
    published_at TEXT,
    -- legal documents: number and symbol (91/2025/QH15), type, issuing body,
    -- signed and effective dates (ISO), status, scope (vietnam, province,
    -- host_country) and the host country (ISO alpha-2)
    doc_number TEXT NOT NULL DEFAULT '',
    doc_type TEXT NOT NULL DEFAULT '',
    issuing_body TEXT NOT NULL DEFAULT '',
    signed_on TEXT,
    effective_on TEXT,
    legal_status TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    scope_country TEXT NOT NULL DEFAULT '',
    -- legal documents and procedure guides: the field (nationality, entry_exit...)
    field TEXT NOT NULL DEFAULT '',
    -- procedure guides: the national online service
    online_url TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX content_items_public ON content_items(state, kind, published_at);
CREATE INDEX content_items_due ON content_items(state, publish_at);
CREATE UNIQUE INDEX content_items_doc_number ON content_items(doc_number) WHERE doc_number <> '';

-- One row a language (vi, en): the slug of its URL, its text in Markdown
-- and as sanitised HTML, and the folded words search reads.
CREATE TABLE content_translations (
    item_id BIGINT NOT NULL REFERENCES content_items(id),
    lang TEXT NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body_md TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    -- procedure guides
    audience TEXT NOT NULL DEFAULT '',
    steps_md TEXT NOT NULL DEFAULT '',
    steps_html TEXT NOT NULL DEFAULT '',
    documents_md TEXT NOT NULL DEFAULT '',
    documents_html TEXT NOT NULL DEFAULT '',
    fees TEXT NOT NULL DEFAULT '',
    processing_time TEXT NOT NULL DEFAULT '',
    authority TEXT NOT NULL DEFAULT '',
    authority_address TEXT NOT NULL DEFAULT '',
    plain_text TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, lang)
);
CREATE UNIQUE INDEX content_translations_slug ON content_translations(lang, slug);

-- Links between items: replaces, amends (legal documents), legal_basis
-- (a procedure guide's documents).
CREATE TABLE content_links (
    from_id BIGINT NOT NULL REFERENCES content_items(id),
    to_id BIGINT NOT NULL REFERENCES content_items(id),
    relation TEXT NOT NULL,
    PRIMARY KEY (from_id, relation, to_id)
);
CREATE INDEX content_links_to ON content_links(to_id, relation);

-- Every version with who and when: the item and its translations as JSON.
CREATE TABLE content_versions (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES content_items(id),
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    summary TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    actor TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX content_versions_item ON content_versions(item_id, id);
