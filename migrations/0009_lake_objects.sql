CREATE TABLE `lake_objects` (
	`listener_id` text NOT NULL,
	`object_key` text NOT NULL,
	PRIMARY KEY(`listener_id`, `object_key`)
);
