DROP TABLE backend_modes;
