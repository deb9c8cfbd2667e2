DROP TABLE petition_faqs;
DROP TABLE newsletter_deliveries;
DROP TABLE newsletters;
