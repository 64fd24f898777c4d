"""Film adaptation: Script → ShotList → AssetManifest. Pure planning."""
