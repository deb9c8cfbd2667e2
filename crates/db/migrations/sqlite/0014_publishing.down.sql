DROP TABLE content_versions;
DROP TABLE content_links;
DROP TABLE content_translations;
DROP TABLE content_items;
