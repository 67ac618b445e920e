import { v7 as uuidv7 } from 'uuid';

/** Event ids are UUIDv7: time-ordered, so ids sort roughly in recording order across processes. */
export const newEventId = (): string => uuidv7();

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
