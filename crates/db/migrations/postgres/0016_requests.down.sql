DROP TABLE portal_requests;
DROP TABLE holidays;
