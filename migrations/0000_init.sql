CREATE TABLE `artists` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`genres` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`listener_id` text NOT NULL,
	`event_id` text NOT NULL,
	`track_id` text NOT NULL,
	`type` text NOT NULL,
	`target` text,
	`ms_played` integer,
	`position_ms` integer,
	`device` text,
	`context` text,
	`client_ts` integer NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`listener_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `events_track` ON `events` (`track_id`);--> statement-breakpoint
CREATE INDEX `events_client_ts` ON `events` (`client_ts`);--> statement-breakpoint
CREATE TABLE `listeners` (
	`id` text PRIMARY KEY NOT NULL,
	`region` text,
	`consent_personalization` integer DEFAULT true NOT NULL,
	`consent_analytics` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `model_parts` (
	`version` text NOT NULL,
	`part` text NOT NULL,
	`written_at` integer NOT NULL,
	PRIMARY KEY(`version`, `part`)
);
--> statement-breakpoint
CREATE TABLE `model_versions` (
	`version` text PRIMARY KEY NOT NULL,
	`algorithm` text NOT NULL,
	`status` text NOT NULL,
	`metrics` text,
	`listener_count` integer DEFAULT 0 NOT NULL,
	`track_count` integer DEFAULT 0 NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	`parts_total` integer DEFAULT 0 NOT NULL,
	`trigger` text NOT NULL,
	`created_at` integer NOT NULL,
	`published_at` integer
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`listener_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`length_ms` integer NOT NULL,
	`tracks_played` integer NOT NULL,
	`skips` integer NOT NULL,
	`completions` integer NOT NULL,
	PRIMARY KEY(`listener_id`, `started_at`)
);
--> statement-breakpoint
CREATE TABLE `tracks` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`artist_id` text NOT NULL,
	`artist_name` text NOT NULL,
	`album_id` text NOT NULL,
	`album_title` text NOT NULL,
	`genre` text NOT NULL,
	`release_date` text NOT NULL,
	`tempo` real NOT NULL,
	`energy` real NOT NULL,
	`valence` real NOT NULL,
	`danceability` real NOT NULL,
	`acousticness` real NOT NULL,
	`instrumentalness` real NOT NULL,
	`speechiness` real NOT NULL,
	`loudness` real NOT NULL,
	`key` integer NOT NULL,
	`mode` integer NOT NULL,
	`duration_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tracks_artist` ON `tracks` (`artist_id`);--> statement-breakpoint
CREATE INDEX `tracks_release` ON `tracks` (`release_date`);