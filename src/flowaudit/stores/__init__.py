"""What app makers already file with the app stores, read and written.

Apple's privacy manifests (``PrivacyInfo.xcprivacy``) and Google Play's
Data safety answers (the CSV Play Console imports and exports) say which
data an app collects; :mod:`flowaudit.stores.mapping` ties their data types
to flowaudit's, both ways, from ``rules/data-types.yml``.
"""
