CREATE TABLE `kpi_daily` (
	`day` text NOT NULL,
	`surface` text NOT NULL,
	`device` text NOT NULL,
	`region` text NOT NULL,
	`variant` text NOT NULL,
	`model_version` text NOT NULL,
	`listeners` integer NOT NULL,
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
CREATE TABLE `kpi_listener_days` (
	`day` text NOT NULL,
	`listener_id` text NOT NULL,
	`surface` text NOT NULL,
	`device` text NOT NULL,
	`region` text NOT NULL,
	`variant` text NOT NULL,
	`model_version` text NOT NULL,
	PRIMARY KEY(`day`, `listener_id`, `surface`, `device`, `region`, `variant`, `model_version`)
);
--> statement-breakpoint
CREATE INDEX `kpi_listener_days_listener` ON `kpi_listener_days` (`listener_id`);--> statement-breakpoint
CREATE TABLE `kpi_sessions` (
	`day` text NOT NULL,
	`region` text NOT NULL,
	`length_ms` integer NOT NULL,
	`sessions` integer NOT NULL,
	PRIMARY KEY(`day`, `region`, `length_ms`)
);
