/*
 * text_file.h - a whole file read into memory, for the readers of JSON files (imports, the
 * review manifest).
 */
#ifndef XB_RESULTS_TEXT_FILE_H
#define XB_RESULTS_TEXT_FILE_H

/* The contents of @path, NUL-terminated, to free(); NULL after recording the failing call. */
char *text_file_read(const char *path);

#endif
