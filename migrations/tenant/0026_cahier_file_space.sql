-- The cahier de textes' attachments count in the establishment's file space (0025).
SELECT file_space_track('cahier_files');
