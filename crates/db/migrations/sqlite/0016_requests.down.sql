DROP TABLE portal_petitions;
DROP TABLE portal_requests;
DROP TABLE holidays;
