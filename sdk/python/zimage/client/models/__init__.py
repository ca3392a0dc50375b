"""Contains all the data models used in inputs/outputs"""

from .accepted import Accepted
from .admin_credit_request import AdminCreditRequest
from .admin_reason import AdminReason
from .admin_task import AdminTask
from .admin_user_detail import AdminUserDetail
from .announcement import Announcement
from .announcement_sent import AnnouncementSent
from .api_key_created import ApiKeyCreated
from .api_key_info import ApiKeyInfo
from .api_key_scope import ApiKeyScope
from .api_key_usage import ApiKeyUsage
from .aspect_ratio import AspectRatio
from .audit_entry import AuditEntry
from .authorization_params import AuthorizationParams
from .authorization_server_metadata import AuthorizationServerMetadata
from .authorize_decision import AuthorizeDecision
from .authorize_redirect import AuthorizeRedirect
from .authorized_app import AuthorizedApp
from .backend_health import BackendHealth
from .backend_mode import BackendMode
from .capability import Capability
from .catalog import Catalog
from .change_email_request import ChangeEmailRequest
from .change_password_request import ChangePasswordRequest
from .checkout_request import CheckoutRequest
from .checkout_response import CheckoutResponse
from .collection import Collection
from .collection_images_changed import CollectionImagesChanged
from .collection_images_request import CollectionImagesRequest
from .collection_share_info import CollectionShareInfo
from .confirm_privacy_request import ConfirmPrivacyRequest
from .consents import Consents
from .create_api_key_request import CreateApiKeyRequest
from .create_collection_request import CreateCollectionRequest
from .create_collection_share_request import CreateCollectionShareRequest
from .create_generation_request import CreateGenerationRequest
from .create_generation_request_metadata_type_0 import (
    CreateGenerationRequestMetadataType0,
)
from .create_invitation import CreateInvitation
from .create_moderation_rule import CreateModerationRule
from .create_o_auth_app_request import CreateOAuthAppRequest
from .create_privacy_request import CreatePrivacyRequest
from .create_prompt_request import CreatePromptRequest
from .create_share_request import CreateShareRequest
from .create_ticket import CreateTicket
from .create_webhook_request import CreateWebhookRequest
from .credit_balance import CreditBalance
from .credit_cost import CreditCost
from .credit_grant import CreditGrant
from .credits_low_data import CreditsLowData
from .current_authorization import CurrentAuthorization
from .dashboard import Dashboard
from .delivery_status import DeliveryStatus
from .device_authorization_response import DeviceAuthorizationResponse
from .device_decision import DeviceDecision
from .device_request_info import DeviceRequestInfo
from .download_record import DownloadRecord
from .email_change_pending import EmailChangePending
from .email_request import EmailRequest
from .error_code import ErrorCode
from .events_stream_response_200_type_1 import EventsStreamResponse200Type1
from .events_stream_response_200_type_1_event import EventsStreamResponse200Type1Event
from .field_errors import FieldErrors
from .gallery_image import GalleryImage
from .generated_image_info import GeneratedImageInfo
from .generation_failed_data import GenerationFailedData
from .generation_failed_data_metadata_type_0 import GenerationFailedDataMetadataType0
from .generation_succeeded_data import GenerationSucceededData
from .generation_succeeded_data_metadata_type_0 import (
    GenerationSucceededDataMetadataType0,
)
from .generation_task import GenerationTask
from .generation_task_metadata_type_0 import GenerationTaskMetadataType0
from .generations_events_stream_response_200_type_1 import (
    GenerationsEventsStreamResponse200Type1,
)
from .generations_events_stream_response_200_type_1_event import (
    GenerationsEventsStreamResponse200Type1Event,
)
from .grant_source import GrantSource
from .health import Health
from .identity import Identity
from .identity_link_request import IdentityLinkRequest
from .image_selection import ImageSelection
from .images_deleted import ImagesDeleted
from .images_file_get_metadata import ImagesFileGetMetadata
from .images_list_aspect import ImagesListAspect
from .images_list_sort import ImagesListSort
from .invitation import Invitation
from .invitation_created import InvitationCreated
from .invitation_preview import InvitationPreview
from .invitation_status import InvitationStatus
from .ledger_entry import LedgerEntry
from .ledger_kind import LedgerKind
from .legal_document import LegalDocument
from .locale import Locale
from .login_request import LoginRequest
from .model_info import ModelInfo
from .model_supports import ModelSupports
from .moderation_hit import ModerationHit
from .moderation_kind import ModerationKind
from .moderation_rule import ModerationRule
from .o_auth_app import OAuthApp
from .o_auth_app_created import OAuthAppCreated
from .o_auth_app_summary import OAuthAppSummary
from .o_auth_client_type import OAuthClientType
from .o_auth_consent import OAuthConsent
from .o_auth_error import OAuthError
from .o_auth_token_response import OAuthTokenResponse
from .order import Order
from .order_status import OrderStatus
from .output_format import OutputFormat
from .page_admin_task import PageAdminTask
from .page_api_key_info import PageApiKeyInfo
from .page_audit_entry import PageAuditEntry
from .page_authorized_app import PageAuthorizedApp
from .page_collection import PageCollection
from .page_download_record import PageDownloadRecord
from .page_gallery_image import PageGalleryImage
from .page_generation_task import PageGenerationTask
from .page_invitation import PageInvitation
from .page_ledger_entry import PageLedgerEntry
from .page_model_info import PageModelInfo
from .page_moderation_hit import PageModerationHit
from .page_moderation_rule import PageModerationRule
from .page_o_auth_app import PageOAuthApp
from .page_order import PageOrder
from .page_privacy_queue_item import PagePrivacyQueueItem
from .page_privacy_request import PagePrivacyRequest
from .page_saved_prompt import PageSavedPrompt
from .page_security_event import PageSecurityEvent
from .page_session_info import PageSessionInfo
from .page_share_info import PageShareInfo
from .page_ticket import PageTicket
from .page_upload_info import PageUploadInfo
from .page_user import PageUser
from .page_webhook_delivery import PageWebhookDelivery
from .page_webhook_endpoint import PageWebhookEndpoint
from .passkey import Passkey
from .passkey_create_request import PasskeyCreateRequest
from .passkey_create_request_credential import PasskeyCreateRequestCredential
from .passkey_list import PasskeyList
from .passkey_options import PasskeyOptions
from .passkey_options_public_key import PasskeyOptionsPublicKey
from .passkey_options_request import PasskeyOptionsRequest
from .passkey_sign_in_options_request import PasskeySignInOptionsRequest
from .passkey_sign_in_request import PasskeySignInRequest
from .passkey_sign_in_request_credential import PasskeySignInRequestCredential
from .passkey_step_up_request import PasskeyStepUpRequest
from .passkey_step_up_request_credential import PasskeyStepUpRequestCredential
from .passkey_update_request import PasskeyUpdateRequest
from .portal_response import PortalResponse
from .privacy_flags import PrivacyFlags
from .privacy_queue_item import PrivacyQueueItem
from .privacy_request import PrivacyRequest
from .privacy_request_kind import PrivacyRequestKind
from .privacy_request_status import PrivacyRequestStatus
from .problem import Problem
from .product import Product
from .product_kind import ProductKind
from .prompt_parameters import PromptParameters
from .provider_stats import ProviderStats
from .quality import Quality
from .received import Received
from .recovery_codes import RecoveryCodes
from .refresh_request import RefreshRequest
from .request_secret import RequestSecret
from .reset_password_request import ResetPasswordRequest
from .retention_rule import RetentionRule
from .retention_schedule import RetentionSchedule
from .revenue import Revenue
from .role import Role
from .saved_prompt import SavedPrompt
from .second_factor_challenge import SecondFactorChallenge
from .second_factor_code import SecondFactorCode
from .second_factor_request import SecondFactorRequest
from .security_event import SecurityEvent
from .session_info import SessionInfo
from .set_backend_mode import SetBackendMode
from .share_info import ShareInfo
from .shared_collection import SharedCollection
from .shared_collection_image import SharedCollectionImage
from .shared_image import SharedImage
from .sign_in_methods import SignInMethods
from .signup_mode import SignupMode
from .signup_options import SignupOptions
from .signup_request import SignupRequest
from .sso_kind import SsoKind
from .sso_provider_info import SsoProviderInfo
from .sso_signup_details import SsoSignupDetails
from .sso_signup_request import SsoSignupRequest
from .sso_start import SsoStart
from .sso_start_request import SsoStartRequest
from .subscription import Subscription
from .subscription_response import SubscriptionResponse
from .task_event import TaskEvent
from .task_status import TaskStatus
from .theme import Theme
from .ticket import Ticket
from .ticket_message import TicketMessage
from .ticket_reply import TicketReply
from .ticket_status import TicketStatus
from .token_form import TokenForm
from .token_request import TokenRequest
from .token_response import TokenResponse
from .totp_setup import TotpSetup
from .two_factor_status import TwoFactorStatus
from .unmatched_refund import UnmatchedRefund
from .update_collection_request import UpdateCollectionRequest
from .update_profile_request import UpdateProfileRequest
from .update_prompt_request import UpdatePromptRequest
from .update_webhook_request import UpdateWebhookRequest
from .upload_form import UploadForm
from .upload_info import UploadInfo
from .user import User
from .webhook_created import WebhookCreated
from .webhook_delivery import WebhookDelivery
from .webhook_endpoint import WebhookEndpoint
from .webhook_event import WebhookEvent
from .webhook_image import WebhookImage

__all__ = (
    "Accepted",
    "AdminCreditRequest",
    "AdminReason",
    "AdminTask",
    "AdminUserDetail",
    "Announcement",
    "AnnouncementSent",
    "ApiKeyCreated",
    "ApiKeyInfo",
    "ApiKeyScope",
    "ApiKeyUsage",
    "AspectRatio",
    "AuditEntry",
    "AuthorizationParams",
    "AuthorizationServerMetadata",
    "AuthorizeDecision",
    "AuthorizeRedirect",
    "AuthorizedApp",
    "BackendHealth",
    "BackendMode",
    "Capability",
    "Catalog",
    "ChangeEmailRequest",
    "ChangePasswordRequest",
    "CheckoutRequest",
    "CheckoutResponse",
    "Collection",
    "CollectionImagesChanged",
    "CollectionImagesRequest",
    "CollectionShareInfo",
    "ConfirmPrivacyRequest",
    "Consents",
    "CreateApiKeyRequest",
    "CreateCollectionRequest",
    "CreateCollectionShareRequest",
    "CreateGenerationRequest",
    "CreateGenerationRequestMetadataType0",
    "CreateInvitation",
    "CreateModerationRule",
    "CreateOAuthAppRequest",
    "CreatePrivacyRequest",
    "CreatePromptRequest",
    "CreateShareRequest",
    "CreateTicket",
    "CreateWebhookRequest",
    "CreditBalance",
    "CreditCost",
    "CreditGrant",
    "CreditsLowData",
    "CurrentAuthorization",
    "Dashboard",
    "DeliveryStatus",
    "DeviceAuthorizationResponse",
    "DeviceDecision",
    "DeviceRequestInfo",
    "DownloadRecord",
    "EmailChangePending",
    "EmailRequest",
    "ErrorCode",
    "EventsStreamResponse200Type1",
    "EventsStreamResponse200Type1Event",
    "FieldErrors",
    "GalleryImage",
    "GeneratedImageInfo",
    "GenerationFailedData",
    "GenerationFailedDataMetadataType0",
    "GenerationSucceededData",
    "GenerationSucceededDataMetadataType0",
    "GenerationTask",
    "GenerationTaskMetadataType0",
    "GenerationsEventsStreamResponse200Type1",
    "GenerationsEventsStreamResponse200Type1Event",
    "GrantSource",
    "Health",
    "Identity",
    "IdentityLinkRequest",
    "ImageSelection",
    "ImagesDeleted",
    "ImagesFileGetMetadata",
    "ImagesListAspect",
    "ImagesListSort",
    "Invitation",
    "InvitationCreated",
    "InvitationPreview",
    "InvitationStatus",
    "LedgerEntry",
    "LedgerKind",
    "LegalDocument",
    "Locale",
    "LoginRequest",
    "ModelInfo",
    "ModelSupports",
    "ModerationHit",
    "ModerationKind",
    "ModerationRule",
    "OAuthApp",
    "OAuthAppCreated",
    "OAuthAppSummary",
    "OAuthClientType",
    "OAuthConsent",
    "OAuthError",
    "OAuthTokenResponse",
    "Order",
    "OrderStatus",
    "OutputFormat",
    "PageAdminTask",
    "PageApiKeyInfo",
    "PageAuditEntry",
    "PageAuthorizedApp",
    "PageCollection",
    "PageDownloadRecord",
    "PageGalleryImage",
    "PageGenerationTask",
    "PageInvitation",
    "PageLedgerEntry",
    "PageModelInfo",
    "PageModerationHit",
    "PageModerationRule",
    "PageOAuthApp",
    "PageOrder",
    "PagePrivacyQueueItem",
    "PagePrivacyRequest",
    "PageSavedPrompt",
    "PageSecurityEvent",
    "PageSessionInfo",
    "PageShareInfo",
    "PageTicket",
    "PageUploadInfo",
    "PageUser",
    "PageWebhookDelivery",
    "PageWebhookEndpoint",
    "Passkey",
    "PasskeyCreateRequest",
    "PasskeyCreateRequestCredential",
    "PasskeyList",
    "PasskeyOptions",
    "PasskeyOptionsPublicKey",
    "PasskeyOptionsRequest",
    "PasskeySignInOptionsRequest",
    "PasskeySignInRequest",
    "PasskeySignInRequestCredential",
    "PasskeyStepUpRequest",
    "PasskeyStepUpRequestCredential",
    "PasskeyUpdateRequest",
    "PortalResponse",
    "PrivacyFlags",
    "PrivacyQueueItem",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "Problem",
    "Product",
    "ProductKind",
    "PromptParameters",
    "ProviderStats",
    "Quality",
    "Received",
    "RecoveryCodes",
    "RefreshRequest",
    "RequestSecret",
    "ResetPasswordRequest",
    "RetentionRule",
    "RetentionSchedule",
    "Revenue",
    "Role",
    "SavedPrompt",
    "SecondFactorChallenge",
    "SecondFactorCode",
    "SecondFactorRequest",
    "SecurityEvent",
    "SessionInfo",
    "SetBackendMode",
    "ShareInfo",
    "SharedCollection",
    "SharedCollectionImage",
    "SharedImage",
    "SignInMethods",
    "SignupMode",
    "SignupOptions",
    "SignupRequest",
    "SsoKind",
    "SsoProviderInfo",
    "SsoSignupDetails",
    "SsoSignupRequest",
    "SsoStart",
    "SsoStartRequest",
    "Subscription",
    "SubscriptionResponse",
    "TaskEvent",
    "TaskStatus",
    "Theme",
    "Ticket",
    "TicketMessage",
    "TicketReply",
    "TicketStatus",
    "TokenForm",
    "TokenRequest",
    "TokenResponse",
    "TotpSetup",
    "TwoFactorStatus",
    "UnmatchedRefund",
    "UpdateCollectionRequest",
    "UpdateProfileRequest",
    "UpdatePromptRequest",
    "UpdateWebhookRequest",
    "UploadForm",
    "UploadInfo",
    "User",
    "WebhookCreated",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookImage",
)
