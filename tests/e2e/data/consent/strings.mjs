// Consent strings built by IAB's own libraries, for the consent end-to-end tests:
// @iabtcf/core (TC strings) and @iabgpp/cmpapi (GPP strings), installed by .ci/run
// into tests/e2e/.npm. Prints one JSON object: {name: string}.
//
// A TC string can only be encoded against a Global Vendor List. The list here is a
// minimal one written for the test in the list's documented format (vendor-list.json,
// https://github.com/InteractiveAdvertisingBureau/GDPR-Transparency-and-Consent-Framework/blob/master/TCFv2/IAB%20Tech%20Lab%20-%20Consent%20string%20and%20vendor%20list%20formats%20v2.md#the-global-vendor-list):
// two vendors, Google Advertising Products (755) and Criteo (91), and IAB's ten purposes.
import {GVL, TCModel, TCString} from "@iabtcf/core";
import {GppModel} from "@iabgpp/cmpapi";

const purposes = Object.fromEntries(
  [...Array(11).keys()].map((i) => [i + 1, {id: i + 1, name: `purpose ${i + 1}`, description: "", illustrations: []}]),
);
const vendor = (id, name) => ({
  id, name, purposes: [1, 2, 3, 4, 7], legIntPurposes: [], flexiblePurposes: [], specialPurposes: [], features: [],
  specialFeatures: [1], policyUrl: "https://example.invalid/", usesCookies: true, cookieMaxAgeSeconds: 86400,
  cookieRefresh: false, usesNonCookieAccess: false,
});
const gvl = new GVL({
  gvlSpecificationVersion: 3, vendorListVersion: 150, tcfPolicyVersion: 5, lastUpdated: "2025-01-01T00:00:00Z",
  purposes, specialPurposes: {}, features: {}, specialFeatures: {1: {id: 1, name: "precise geolocation", description: ""}},
  stacks: {}, dataCategories: {}, vendors: {755: vendor(755, "Google Advertising Products"), 91: vendor(91, "Criteo")},
});

function tcString({purposes = [], vendors = [], specialFeatures = []}) {
  const model = new TCModel(gvl);
  model.cmpId = 10;
  model.cmpVersion = 2;
  model.publisherCountryCode = "DE";
  model.consentLanguage = "EN";
  model.created = new Date(Date.UTC(2025, 0, 1));
  model.lastUpdated = model.created;
  purposes.forEach((p) => model.purposeConsents.set(p));
  vendors.forEach((v) => model.vendorConsents.set(v));
  specialFeatures.forEach((f) => model.specialFeatureOptins.set(f));
  return TCString.encode(model);
}

function usnat(optOut) {
  const model = new GppModel();
  for (const field of ["SharingNotice", "SaleOptOutNotice", "SharingOptOutNotice", "TargetedAdvertisingOptOutNotice"]) {
    model.setFieldValue("usnat", field, 1);
  }
  for (const field of ["SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut"]) {
    model.setFieldValue("usnat", field, optOut ? 1 : 2);
  }
  return model.encode();
}

const all = [...Array(10).keys()].map((i) => i + 1);
console.log(JSON.stringify({
  tcf_granted: tcString({purposes: all, vendors: [755, 91], specialFeatures: [1]}),
  tcf_without_google: tcString({purposes: all, vendors: [91]}),
  tcf_refused: tcString({}),
  gpp_opted_out: usnat(true),
  gpp_not_opted_out: usnat(false),
}));
