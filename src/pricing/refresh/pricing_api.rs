//! Price List API in (GetProducts through aws-sdk-pricing, filtered and paginated), price records out.
