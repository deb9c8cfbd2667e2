DROP TABLE content_file_data;
DROP TABLE content_files;
DROP TABLE petition_faqs;
DROP TABLE newsletter_deliveries;
DROP TABLE newsletters;
