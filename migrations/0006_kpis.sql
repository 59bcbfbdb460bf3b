CREATE TABLE `kpi_conflicts` (
	`listeners` integer NOT NULL,
	CONSTRAINT "kpi_listener_changed_since_read" CHECK("kpi_conflicts"."listeners" = 0)
);
--> statement-breakpoint
CREATE TABLE `kpi_daily` (
	`day` text NOT NULL,
	`surface` text NOT NULL,
	`device` text NOT NULL,
	`region` text NOT NULL,
	`variant` text NOT NULL,
	`model_version` text NOT NULL,
	`starts` integer NOT NULL,
	`listening_ms` integer NOT NULL,
	`early_skips` integer NOT NULL,
	`completions` integer NOT NULL,
	`repeats` integer NOT NULL,
	`track_discoveries` integer NOT NULL,
	`artist_discoveries` integer NOT NULL,
	`likes` integer NOT NULL,
	`saves` integer NOT NULL,
	PRIMARY KEY(`day`, `surface`, `device`, `region`, `variant`, `model_version`)
);
--> statement-breakpoint
CREATE TABLE `kpi_list_plays` (
	`day` text NOT NULL,
	`surface` text NOT NULL,
	`device` text NOT NULL,
	`region` text NOT NULL,
	`variant` text NOT NULL,
	`model_version` text NOT NULL,
	`recommendation_id` text NOT NULL,
	`listener_id` text NOT NULL,
	`completed` integer NOT NULL,
	PRIMARY KEY(`day`, `recommendation_id`, `device`)
);
--> statement-breakpoint
CREATE INDEX `kpi_list_plays_listener` ON `kpi_list_plays` (`listener_id`);--> statement-breakpoint
CREATE TABLE `kpi_listener_days` (
	`day` text NOT NULL,
	`surface` text NOT NULL,
	`device` text NOT NULL,
	`region` text NOT NULL,
	`variant` text NOT NULL,
	`model_version` text NOT NULL,
	`listener_id` text NOT NULL,
	PRIMARY KEY(`day`, `listener_id`, `surface`, `device`, `region`, `variant`, `model_version`)
);
--> statement-breakpoint
CREATE INDEX `kpi_listener_days_listener` ON `kpi_listener_days` (`listener_id`);--> statement-breakpoint
CREATE TABLE `kpi_listener_revisions` (
	`listener_id` text PRIMARY KEY NOT NULL,
	`revision` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `kpi_sessions` (
	`day` text NOT NULL,
	`region` text NOT NULL,
	`length_ms` integer NOT NULL,
	`sessions` integer NOT NULL,
	PRIMARY KEY(`day`, `region`, `length_ms`)
);
--> statement-breakpoint
ALTER TABLE `events` ADD `list_end` integer;--> statement-breakpoint
CREATE INDEX `events_listener_time` ON `events` (`listener_id`,`client_ts`,`event_id`);--> statement-breakpoint
CREATE INDEX `events_listener_track` ON `events` (`listener_id`,`track_id`,`client_ts`,`event_id`);