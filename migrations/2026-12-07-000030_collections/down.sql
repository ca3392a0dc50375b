DROP TABLE collection_images;
DROP TABLE collections;
