package org.hearth.core.profile;

/** Spec "Profiles": null fields are unset and left out of answers. */
public record Profile(String displayName, String avatarUrl) {}
